package dev.kvcache.jobs.output;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.jobs.ConsoleRun;
import dev.kvcache.jobs.ExitCodes;
import dev.kvcache.jobs.RunResults;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks that a run never reuses or changes an existing run folder: {@link RunFolder#create} on a
 * local Hadoop file system with colliding names, and two job runs into the same output root.
 */
class RunFolderTest {
    /** 01:02:03 at UTC+2 on 1 March 2026 is 23:02:03 UTC on 28 February 2026. */
    private static final ZonedDateTime STARTED_AT = ZonedDateTime.of(2026, 3, 1, 1, 2, 3, 0, ZoneOffset.ofHours(2));
    private static final String BASE_NAME = "separation-20260228-230203";

    @TempDir
    Path root;

    @Test
    void folderNamedByJobAndUtcTime() throws IOException {
        RunFolder folder = RunFolder.create(root.toString(), "separation", STARTED_AT, new Configuration());

        assertEquals(BASE_NAME, folder.runId(), "run id from the job and the UTC start time");
        assertTrue(Files.isDirectory(root.resolve(BASE_NAME)), "the folder exists");
        assertEquals(BASE_NAME + "\n", Files.readString(root.resolve(BASE_NAME).resolve("_RUN")),
            "the marker file holds the run id");
        assertEquals(root.resolve(BASE_NAME).toString(), folder.path().toUri().getPath(), "the folder's path");
    }

    @Test
    void existingFolderGetsNextSuffix() throws IOException {
        Path existing = Files.createDirectories(root.resolve(BASE_NAME));
        Files.writeString(existing.resolve("summary.json"), "{\"run_id\":\"earlier\"}\n", StandardCharsets.UTF_8);
        Map<String, byte[]> before = contents(existing);

        RunFolder second = RunFolder.create(root.toString(), "separation", STARTED_AT, new Configuration());
        RunFolder third = RunFolder.create(root.toString(), "separation", STARTED_AT, new Configuration());

        assertEquals(BASE_NAME + "-2", second.runId(), "the first free suffix");
        assertEquals(BASE_NAME + "-3", third.runId(), "the suffix after that");
        assertTrue(Files.exists(root.resolve(BASE_NAME + "-2").resolve("_RUN")), "the second folder's marker");
        assertFalse(Files.exists(existing.resolve("_RUN")), "no marker written into the existing folder");
        assertEqualContents(before, contents(existing), "the existing folder");
    }

    @Test
    void existingFileNameSkipped() throws IOException {
        Files.writeString(root.resolve(BASE_NAME), "a file, not a folder\n", StandardCharsets.UTF_8);

        RunFolder folder = RunFolder.create(root.toString(), "separation", STARTED_AT, new Configuration());

        assertEquals(BASE_NAME + "-2", folder.runId(), "a file of the same name also takes the name");
        assertEquals("a file, not a folder\n", Files.readString(root.resolve(BASE_NAME)), "the file is unchanged");
    }

    @Test
    void nonAsciiRootAccepted() throws IOException {
        Path accented = root.resolve("résultats é");

        RunFolder folder = RunFolder.create(accented.toString(), "depth", STARTED_AT, new Configuration());

        assertTrue(Files.isDirectory(accented.resolve(folder.runId())), "the folder exists under " + accented);
    }

    @Test
    void fileUriRootAccepted() throws IOException {
        String uri = root.toUri().toString();

        RunFolder folder = RunFolder.create(uri, "separation", STARTED_AT, new Configuration());

        assertEquals(BASE_NAME, folder.runId(), "run id under a file: URI root");
        assertTrue(Files.exists(root.resolve(BASE_NAME).resolve("_RUN")), "the marker under the file: URI root");
    }

    @Test
    void missingRootCreated() throws IOException {
        Path nested = root.resolve("a").resolve("b");

        RunFolder folder = RunFolder.create(nested.toString(), "separation", STARTED_AT, new Configuration());

        assertTrue(Files.isDirectory(nested.resolve(folder.runId())), "parents of the run folder are created");
    }

    @Test
    void secondRunLeavesFirstUnchanged() throws IOException {
        String[] args = {
            "--master", "local[2]", "--output", root.toString(), "--set", "grid.n=[256]", "--set", "grid.s=[4]",
            "--set", "grid.k=[4]", "--set", "grid.controllers=[random-fresh, follow]", "--set", "grid.laws=[function]",
            "--set", "trials=2000",
        };

        ConsoleRun first = ConsoleRun.of(args);
        assertEquals(ExitCodes.PASS, first.exitCode(), "exit code of the first run\n" + first.console());
        Path firstFolder = RunResults.single(root).folder();
        Map<String, byte[]> firstFiles = contents(firstFolder);
        byte[] firstSummary = Files.readAllBytes(firstFolder.resolve("summary.json"));

        ConsoleRun second = ConsoleRun.of(args);
        assertEquals(ExitCodes.PASS, second.exitCode(), "exit code of the second run\n" + second.console());
        List<Path> folders = RunResults.folders(root);

        assertEquals(2, folders.size(), "two run folders: " + folders);
        assertNotEquals(folders.get(0).getFileName(), folders.get(1).getFileName(), "different folder names");
        assertArrayEquals(firstSummary, Files.readAllBytes(firstFolder.resolve("summary.json")),
            "the first run's summary.json bytes");
        assertEqualContents(firstFiles, contents(firstFolder), "the first run folder");
        Path secondFolder = folders.stream().filter(f -> !f.equals(firstFolder)).findFirst().orElseThrow();
        assertTrue(first.out().contains("results: " + firstFolder.toUri().getScheme() + ":"),
            "the first run prints a results line\n" + first.console());
        assertTrue(first.out().contains(firstFolder.getFileName().toString()),
            "the first run prints its folder\n" + first.console());
        assertTrue(second.out().contains(secondFolder.getFileName().toString()),
            "the second run prints its folder\n" + second.console());
    }

    /**
     * Pins the intent stated in {@code RunFolder.create}: a local run folder holds no checksum side
     * files ({@code .NAME.crc}), which Hadoop's local file system writes unless checksum writing is turned off.
     */
    @Test
    void runFolderHasNoChecksumFiles() throws IOException {
        RunFolder folder = RunFolder.create(root.toString(), "separation", STARTED_AT, new Configuration());
        ResultWriter.writeConfig(folder, "trials = 1\n");

        List<String> names;
        try (Stream<Path> files = Files.list(root.resolve(folder.runId()))) {
            names = files.map(p -> p.getFileName().toString()).sorted().toList();
        }

        assertEquals(List.of("_RUN", "config.conf"), names, "files of the run folder");
    }

    /** Returns every file under {@code folder} (relative name to bytes). */
    private static Map<String, byte[]> contents(Path folder) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path path : paths.filter(Files::isRegularFile).toList()) {
                files.put(folder.relativize(path).toString(), Files.readAllBytes(path));
            }
        }
        return files;
    }

    private static void assertEqualContents(Map<String, byte[]> expected, Map<String, byte[]> actual, String what) {
        assertEquals(expected.keySet(), actual.keySet(), "file names in " + what);
        for (String name : expected.keySet()) {
            assertTrue(Arrays.equals(expected.get(name), actual.get(name)), "bytes of " + name + " in " + what);
        }
    }
}
