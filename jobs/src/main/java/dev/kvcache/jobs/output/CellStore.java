package dev.kvcache.jobs.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kvcache.engine.estimate.TrialCounts;
import dev.kvcache.jobs.config.InvalidConfigException;
import dev.kvcache.jobs.plan.Cell;
import dev.kvcache.jobs.run.UnitOutcome;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The finished cells of a run, each committed atomically into the run folder's {@code cells/} the
 * moment its last unit is in: written under a temporary name, then renamed. A stopped run keeps
 * them, and {@code --resume} reads them back instead of running those cells again. A file contains
 * the cell's exact counts and replicate estimates, so the resumed results equal an uninterrupted
 * run's.
 */
public final class CellStore {
    /** The folder of the committed cells inside the run folder. */
    public static final String FOLDER = "cells";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private CellStore() {
    }

    /** Commits {@code outcome} of {@code cell}: after this returns, the cell survives a killed driver. */
    public static void commit(RunFolder folder, Cell cell, UnitOutcome outcome, String configSha256)
        throws IOException {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("config_sha256", configSha256);
        node.put("cell", cell.index());
        node.put("key", Long.toHexString(cell.key()));
        node.put("label", cell.label());
        TrialCounts counts = outcome.counts();
        node.put("stages", counts.stages());
        node.put("trials", counts.trials());
        node.put("events", counts.events());
        node.put("answered", counts.answered());
        node.put("correct", counts.correct());
        ArrayNode misses = node.putArray("first_miss");
        for (int t = 1; t <= counts.stages(); t++) {
            misses.add(counts.firstMissAt(t));
        }
        node.put("replicate_count", outcome.replicateCount());
        ArrayNode numbers = node.putArray("replicate_numbers");
        ArrayNode estimates = node.putArray("replicate_estimates");
        for (int i = 0; i < outcome.replicatesDone(); i++) {
            numbers.add(outcome.replicateNumbers()[i]);
            estimates.add(outcome.replicateEstimates()[i]);
        }
        node.put("particles", outcome.particles());
        node.put("clones", outcome.clones());
        node.put("capped", outcome.capped());
        node.put("nanos", outcome.nanos());

        FileSystem fs = folder.fileSystem();
        Path target = new Path(folder.file(FOLDER), name(cell));
        Path temporary = new Path(folder.file(FOLDER), "." + name(cell) + ".tmp");
        try (FSDataOutputStream out = fs.create(temporary, true)) {
            out.write(MAPPER.writeValueAsBytes(node));
        }
        if (!fs.rename(temporary, target)) {
            throw new IOException("cannot rename " + temporary + " to " + target);
        }
    }

    /**
     * Returns the committed outcomes of {@code cells}, by cell index. A file counts only when its
     * cell index and key match a planned cell, so a changed plan never reuses another cell's
     * results. Temporary files of an interrupted commit are ignored.
     *
     * @throws InvalidConfigException if a committed file cannot be read, is inconsistent, or was
     *     committed under another configuration; the message names the file
     * @throws IOException if the folder cannot be listed
     */
    public static Map<Integer, UnitOutcome> load(RunFolder folder, List<Cell> cells, String configSha256)
        throws IOException {
        Map<Integer, UnitOutcome> finished = new HashMap<>();
        FileSystem fs = folder.fileSystem();
        Path dir = folder.file(FOLDER);
        if (!fs.exists(dir)) {
            return finished;
        }
        Map<String, Cell> byName = new HashMap<>();
        for (Cell cell : cells) {
            byName.put(name(cell), cell);
        }
        for (FileStatus status : fs.listStatus(dir)) {
            Cell cell = byName.get(status.getPath().getName());
            if (cell == null) {
                continue;
            }
            try {
                JsonNode node;
                try (InputStream in = fs.open(status.getPath())) {
                    node = MAPPER.readTree(in);
                }
                if (node == null || !configSha256.equals(node.path("config_sha256").asText())) {
                    throw new IllegalArgumentException("it was committed under another config.conf (the folder's"
                        + " config.conf changed since); resume only with the configuration the run started with");
                }
                finished.put(cell.index(), outcome(node, cell));
            } catch (IOException | RuntimeException e) {
                String reason = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
                throw new InvalidConfigException("--resume: committed cell " + status.getPath() + " cannot be used: "
                    + reason.strip() + ". Delete that file to run its cell again, then resume");
            }
        }
        return finished;
    }

    private static UnitOutcome outcome(JsonNode node, Cell cell) {
        int stages = node.get("stages").asInt();
        long[] firstMiss = new long[stages];
        for (int t = 0; t < stages; t++) {
            firstMiss[t] = node.get("first_miss").get(t).asLong();
        }
        TrialCounts counts = TrialCounts.of(node.get("trials").asLong(), node.get("events").asLong(),
            node.get("answered").asLong(), node.get("correct").asLong(), firstMiss);
        int done = node.get("replicate_numbers").size();
        int[] numbers = new int[done];
        double[] estimates = new double[done];
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int i = 0; i < done; i++) {
            numbers[i] = node.get("replicate_numbers").get(i).asInt();
            estimates[i] = node.get("replicate_estimates").get(i).asDouble();
            if (numbers[i] < 0 || numbers[i] >= cell.replicates() || !seen.add(numbers[i])
                || !Double.isFinite(estimates[i])) {
                throw new IllegalArgumentException("its replicates are not numbered 0 to " + (cell.replicates() - 1)
                    + " once each with finite estimates");
            }
        }
        if (stages != cell.stages() || counts.trials() != cell.trials() || done != cell.replicates()) {
            throw new IllegalArgumentException("it contains " + counts.trials() + " trials and " + done
                + " replicates of " + stages + " stages, the plan " + cell.trials() + " and " + cell.replicates()
                + " of " + cell.stages());
        }
        return new UnitOutcome(counts, node.get("replicate_count").asInt(), numbers, estimates,
            node.get("particles").asLong(), node.get("clones").asLong(), node.get("capped").asLong(),
            node.get("nanos").asLong());
    }

    private static String name(Cell cell) {
        return String.format("cell-%05d-%016x.json", cell.index(), cell.key());
    }
}
