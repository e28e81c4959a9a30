package dev.kvcache.jobs.output;

import java.io.IOException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A run's own output folder under the output root, through the Hadoop FileSystem API so that
 * {@code file://} and {@code hdfs://} roots both work. A folder is never reused: the run claims
 * it by creating a marker file that must not exist yet, and takes the next suffix when the name
 * is taken.
 */
public final class RunFolder {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
    private static final String MARKER = "_RUN";
    private static final int MAX_ATTEMPTS = 1000;

    private final FileSystem fileSystem;
    private final Path path;
    private final String runId;

    private RunFolder(FileSystem fileSystem, Path path, String runId) {
        this.fileSystem = fileSystem;
        this.path = path;
        this.runId = runId;
    }

    /**
     * Creates a new folder {@code root/<job>-<UTC time>[-N]} and returns it.
     *
     * @throws IOException if the folder cannot be created or no free name is found
     */
    public static RunFolder create(String root, String job, ZonedDateTime startedAt, Configuration hadoop)
        throws IOException {
        Path rootPath = new Path(root);
        FileSystem fileSystem = rootPath.getFileSystem(hadoop);
        if (fileSystem instanceof LocalFileSystem) {
            // The raw local file system writes no checksum side files (.NAME.crc), which only
            // clutter a folder that people read; the shared cached instance stays unchanged.
            fileSystem = ((LocalFileSystem) fileSystem).getRawFileSystem();
        }
        rootPath = fileSystem.makeQualified(rootPath);
        String base = job + "-" + STAMP.format(startedAt.withZoneSameInstant(ZoneOffset.UTC));
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            String runId = attempt == 1 ? base : base + "-" + attempt;
            Path candidate = new Path(rootPath, runId);
            if (fileSystem.exists(candidate)) {
                continue;
            }
            if ("file".equals(candidate.toUri().getScheme())) {
                // An exclusive create: of two runs that pick the same name at once, one gets it.
                try {
                    // The URI's decoded path, because Paths.get(URI) rejects some non-ASCII paths.
                    java.nio.file.Files.createDirectories(java.nio.file.Paths.get(rootPath.toUri().getPath()));
                    java.nio.file.Files.createDirectory(java.nio.file.Paths.get(candidate.toUri().getPath()));
                } catch (java.nio.file.FileAlreadyExistsException taken) {
                    continue;
                }
            }
            try (FSDataOutputStream marker = fileSystem.create(new Path(candidate, MARKER), false)) {
                marker.writeBytes(runId + "\n");
            } catch (FileAlreadyExistsException e) {
                continue;
            }
            return new RunFolder(fileSystem, candidate, runId);
        }
        throw new IOException("no free run folder name under " + rootPath + " after " + MAX_ATTEMPTS + " attempts");
    }

    /**
     * Opens the folder of a stopped run to finish it: it must hold the run marker and
     * {@code config.conf}, and no {@code summary.json} (a finished run).
     *
     * @throws InvalidConfigException if the folder is not a stopped run's folder
     * @throws IOException if the file system cannot be read
     */
    public static RunFolder open(String folder, Configuration hadoop) throws IOException {
        Path path = new Path(folder);
        FileSystem fileSystem = path.getFileSystem(hadoop);
        if (fileSystem instanceof LocalFileSystem) {
            fileSystem = ((LocalFileSystem) fileSystem).getRawFileSystem();
        }
        path = fileSystem.makeQualified(path);
        if (!fileSystem.exists(new Path(path, MARKER)) || !fileSystem.exists(new Path(path, "config.conf"))) {
            throw new dev.kvcache.jobs.config.InvalidConfigException("--resume " + folder + ": not a run folder (no "
                + MARKER + " or config.conf); give a folder that a run printed after 'results:'");
        }
        if (fileSystem.exists(new Path(path, "summary.json"))) {
            throw new dev.kvcache.jobs.config.InvalidConfigException("--resume " + folder + ": the run finished"
                + " already (its summary.json exists); nothing to resume");
        }
        return new RunFolder(fileSystem, path, path.getName());
    }

    private static final String LOCK = "_LOCK";

    /**
     * Takes the folder for this process: creates {@code _LOCK} exclusively, holding this host and
     * process id. A lock left by a process of this host that no longer runs (a killed driver) is
     * stale and taken over.
     *
     * @throws InvalidConfigException if another process has taken the folder
     * @throws IOException if the file system fails
     */
    public void lock() throws IOException {
        String host = java.net.InetAddress.getLocalHost().getHostName();
        long pid = ProcessHandle.current().pid();
        Path lock = file(LOCK);
        if (fileSystem.exists(lock)) {
            String[] holder = read(LOCK).strip().split(" ");
            boolean stale = holder.length == 2 && holder[0].equals(host)
                && ProcessHandle.of(Long.parseLong(holder[1])).map(p -> !p.isAlive()).orElse(true);
            if (!stale) {
                throw new dev.kvcache.jobs.config.InvalidConfigException("the run folder " + path + " is in use by"
                    + " process " + String.join(" on ", holder.length == 2 ? new String[] {holder[1], holder[0]}
                    : holder) + " (" + LOCK + "); wait for it to end, or delete " + LOCK + " if that process is gone");
            }
            fileSystem.delete(lock, false);
        }
        byte[] content = (host + " " + pid + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try {
            if ("file".equals(lock.toUri().getScheme())) {
                // An exclusive create: of two processes taking the folder at once, one gets it.
                java.nio.file.Files.write(java.nio.file.Paths.get(lock.toUri()), content,
                    java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE);
            } else {
                try (FSDataOutputStream out = fileSystem.create(lock, false)) {
                    out.write(content);
                }
            }
        } catch (java.nio.file.FileAlreadyExistsException | FileAlreadyExistsException e) {
            throw new dev.kvcache.jobs.config.InvalidConfigException("the run folder " + path + " was taken by another"
                + " process just now (" + LOCK + "); wait for it to end");
        }
    }

    /** Releases the folder taken by {@link #lock()}. */
    public void unlock() throws IOException {
        fileSystem.delete(file(LOCK), false);
    }

    /** Reads a file of the folder as UTF-8 text. */
    public String read(String name) throws IOException {
        try (java.io.InputStream in = fileSystem.open(file(name))) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** Deletes a file or folder of the run folder when it exists; for outputs a resumed run writes again. */
    public void deleteIfExists(String name) throws IOException {
        if (fileSystem.exists(file(name))) {
            fileSystem.delete(file(name), true);
        }
    }

    public FileSystem fileSystem() {
        return fileSystem;
    }

    public Path path() {
        return path;
    }

    public String runId() {
        return runId;
    }

    /** Returns the path of {@code name} inside the folder. */
    public Path file(String name) {
        return new Path(path, name);
    }
}
