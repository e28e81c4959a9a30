package dev.kvcache.jobs.output;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Properties;

/**
 * The run's {@code manifest.json}: what a scheduler needs to identify a run and decide pass or fail
 * without reading logs. The product version comes from the build; the git commit from the
 * environment variable {@code KVCACHE_GIT_COMMIT}, which {@code submit.sh} sets when it runs from
 * a git checkout, and is {@code null} otherwise.
 */
public final class Manifest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Manifest() {
    }

    /**
     * The facts of one run.
     *
     * @param runId the run folder's name
     * @param status {@code running}, {@code pass}, {@code fail} or {@code incomplete}
     * @param exitCode the exit code the run ends with
     * @param resolvedConfig the text of {@code config.conf}, whose SHA-256 identifies the configuration
     * @param seed the experiment seed
     * @param master the Spark master
     * @param executors the executors that ran the job (1 in local mode: the driver)
     * @param sparkVersion Spark's version
     * @param startedAt the start, ISO 8601 with offset
     * @param finishedAt the end, ISO 8601 with offset
     * @param seconds the run's wall time
     */
    public record Facts(String runId, String status, int exitCode, String resolvedConfig, long seed, String master,
                        int executors, String sparkVersion, String startedAt, String finishedAt, double seconds) {
    }

    /** Returns the manifest document of {@code facts} for a separation run. */
    public static ObjectNode of(Facts facts) {
        return of(facts, "separation");
    }

    /** Returns the manifest document of {@code facts} for a run of {@code job}. */
    public static ObjectNode of(Facts facts, String job) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("product", "kvcache-depth");
        root.put("version", version());
        String commit = System.getenv("KVCACHE_GIT_COMMIT");
        if (commit == null || commit.isBlank()) {
            root.putNull("git_commit");
        } else {
            root.put("git_commit", commit.strip());
        }
        root.put("job", job);
        root.put("run_id", facts.runId());
        root.put("status", facts.status());
        if (facts.exitCode() < 0) {
            root.putNull("exit_code");
        } else {
            root.put("exit_code", facts.exitCode());
        }
        root.put("config_sha256", sha256(facts.resolvedConfig()));
        root.put("seed", facts.seed());
        root.put("master", facts.master());
        root.put("executors", facts.executors());
        root.put("spark_version", facts.sparkVersion());
        root.put("java_version", System.getProperty("java.version"));
        root.put("started_at", facts.startedAt());
        root.put("finished_at", facts.finishedAt());
        root.put("seconds", facts.seconds());
        return root;
    }

    /** Writes {@code manifest} as {@code manifest.json} into the run folder. */
    public static void write(RunFolder folder, ObjectNode manifest) throws IOException {
        byte[] bytes = (MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(manifest) + "\n")
            .getBytes(StandardCharsets.UTF_8);
        ResultWriter.writeAtomically(folder, "manifest.json", bytes);
    }

    /** Returns the product version the build wrote, or {@code unknown} when run from classes without it. */
    static String version() {
        try (InputStream in = Manifest.class.getResourceAsStream("/kvcache-build.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties properties = new Properties();
            properties.load(in);
            String version = properties.getProperty("version", "unknown");
            return version.startsWith("${") ? "unknown" : version;
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Returns the SHA-256 of {@code text} in UTF-8, as lower-case hexadecimal. */
    public static String sha256(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }
}
