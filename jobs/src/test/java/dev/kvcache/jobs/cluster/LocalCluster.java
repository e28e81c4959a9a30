package dev.kvcache.jobs.cluster;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real Spark standalone cluster on 127.0.0.1, built from the project's own jars with no Spark
 * distribution: a minimal {@code SPARK_HOME} whose {@code jars/} links the build's runtime jars
 * and whose {@code bin/spark-submit} runs {@code org.apache.spark.deploy.SparkSubmit} from them,
 * one master and some workers. Every process it starts is recorded and stopped by process id,
 * with its descendants (the executors), in {@link #close()}.
 */
final class LocalCluster implements AutoCloseable {
    private static final Pattern ALIVE_WORKERS = Pattern.compile("\"aliveworkers\"\\s*:\\s*(\\d+)");

    private final Path root;
    private final Path sparkHome;
    private final Path options;
    private final int masterPort;
    private final int masterUiPort;
    private final List<Process> processes = new ArrayList<>();
    private final List<Process> workers = new ArrayList<>();

    private LocalCluster(Path root, Path sparkHome, Path options, int masterPort, int masterUiPort) {
        this.root = root;
        this.sparkHome = sparkHome;
        this.options = options;
        this.masterPort = masterPort;
        this.masterUiPort = masterUiPort;
    }

    /**
     * Starts a master and {@code workerCount} workers of one core each, and waits until every
     * worker has registered.
     *
     * @param projectRoot the repository root, whose {@code jobs/target/lib} and
     *     {@code conf/jvm-options.txt} the cluster uses
     */
    static LocalCluster start(Path projectRoot, Path root, int workerCount) throws IOException, InterruptedException {
        Path lib = projectRoot.resolve("jobs/target/lib");
        if (!Files.isDirectory(lib)) {
            throw new IllegalStateException("no " + lib + ": the cluster needs the packaged build (mvn package)");
        }
        Path sparkHome = Files.createDirectories(root.resolve("spark-home"));
        Path jars = Files.createDirectories(sparkHome.resolve("jars"));
        try (Stream<Path> files = Files.list(lib)) {
            for (Path jar : files.filter(p -> p.toString().endsWith(".jar")).toList()) {
                Files.createSymbolicLink(jars.resolve(jar.getFileName()), jar.toAbsolutePath());
            }
        }
        Path options = projectRoot.resolve("conf/jvm-options.txt");
        Path bin = Files.createDirectories(sparkHome.resolve("bin"));
        Path submit = bin.resolve("spark-submit");
        Files.writeString(submit, "#!/usr/bin/env bash\n"
            + "# spark-submit of a SPARK_HOME without a distribution: SparkSubmit from the build's jars.\n"
            + "exec java @" + options + " -Djava.io.tmpdir=" + root + " -cp \"" + jars + "/*\""
            + " org.apache.spark.deploy.SparkSubmit \"$@\"\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(submit, PosixFilePermissions.fromString("rwxr-xr-x"));

        LocalCluster cluster = new LocalCluster(root, sparkHome, options, freePort(), freePort());
        try {
            cluster.processes.add(cluster.java("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
                "--port", Integer.toString(cluster.masterPort), "--webui-port", Integer.toString(cluster.masterUiPort)));
            for (int i = 0; i < workerCount; i++) {
                Path work = Files.createDirectories(root.resolve("worker-" + i));
                Process worker = cluster.java("worker-" + i, "org.apache.spark.deploy.worker.Worker", "--host",
                    "127.0.0.1", "--webui-port", Integer.toString(freePort()), "--cores", "1", "--memory", "1g",
                    "--work-dir", work.toString(), cluster.masterUrl());
                cluster.processes.add(worker);
                cluster.workers.add(worker);
            }
            cluster.awaitWorkers(workerCount, 60);
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** Returns {@code spark://127.0.0.1:PORT}. */
    String masterUrl() {
        return "spark://127.0.0.1:" + masterPort;
    }

    /** Returns the minimal {@code SPARK_HOME}, whose {@code bin/spark-submit} submit.sh finds. */
    Path sparkHome() {
        return sparkHome;
    }

    /** Returns the master's status document (its web UI's JSON), read over loopback. */
    String status() throws IOException {
        try (InputStream in = URI.create("http://127.0.0.1:" + masterUiPort + "/json/").toURL().openStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Kills worker {@code index} and its executors at once, as a machine failure would. */
    void killWorker(int index) {
        Process worker = workers.get(index);
        worker.descendants().forEach(ProcessHandle::destroyForcibly);
        worker.destroyForcibly();
    }

    private void awaitWorkers(int count, int seconds) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                last = status();
                Matcher matcher = ALIVE_WORKERS.matcher(last);
                if (matcher.find() && Integer.parseInt(matcher.group(1)) >= count) {
                    return;
                }
            } catch (IOException notYet) {
                last = notYet.toString();
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("the workers did not register within " + seconds + " s; master status: " + last
            + "; logs in " + root);
    }

    private Process java(String name, String mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(javaBinary(), "@" + options,
            "-Dspark.master.rest.enabled=false", "-Djava.io.tmpdir=" + root, "-Xmx512m", "-cp",
            sparkHome.resolve("jars") + "/*", mainClass));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("SPARK_HOME", sparkHome.toString());
        builder.environment().put("SPARK_SCALA_VERSION", "2.13");
        builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        builder.redirectErrorStream(true);
        builder.redirectOutput(root.resolve(name + ".log").toFile());
        return builder.start();
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Stops every process this cluster started, executors included, by process id. */
    @Override
    public void close() {
        for (Process process : processes) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        for (Process process : processes) {
            try {
                process.waitFor(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Returns the log file of a started process, for failure messages. */
    File log(String name) {
        return root.resolve(name + ".log").toFile();
    }
}
