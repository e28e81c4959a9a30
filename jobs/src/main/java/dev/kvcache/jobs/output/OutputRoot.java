package dev.kvcache.jobs.output;

import dev.kvcache.jobs.config.InvalidConfigException;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Checks the output root before a run starts, so a bad path fails fast and writes nothing. */
public final class OutputRoot {
    private OutputRoot() {
    }

    /** Checks that Hadoop has a file system for the root's scheme, without contacting it. */
    private static void checkFileSystem(String root) {
        try {
            org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(root);
            org.apache.hadoop.fs.FileSystem.getFileSystemClass(path.toUri().getScheme(),
                new org.apache.hadoop.conf.Configuration());
        } catch (IOException | IllegalArgumentException e) {
            throw new InvalidConfigException("invalid --output '" + root + "': " + e.getMessage()
                + "; give a local folder or a URI of a file system this Spark installation supports, such as hdfs://");
        }
    }

    /**
     * Checks that a local output root is, or can become, a writable folder. Roots on other file
     * systems (for example {@code hdfs://}) are checked when the run folder is created.
     *
     * @throws InvalidConfigException if the root is an existing non-folder, or no writable folder
     *     contains it
     */
    public static void check(String root) {
        if (root == null || root.isBlank()) {
            throw new InvalidConfigException("invalid --output: the path is empty; give a folder such as results");
        }
        try {
            new org.apache.hadoop.fs.Path(root);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException("invalid --output '" + root + "': " + e.getMessage()
                + "; give a folder such as results, an absolute file:/// URI, or a URI such as hdfs://host/path");
        }
        Path local;
        try {
            URI uri = new URI(root);
            if (uri.getScheme() != null && !"file".equals(uri.getScheme())) {
                checkFileSystem(root);
                return;
            }
            local = uri.getScheme() == null ? Paths.get(root) : Paths.get(uri);
        } catch (URISyntaxException | IllegalArgumentException e) {
            try {
                local = Paths.get(root);
            } catch (InvalidPathException invalid) {
                throw new InvalidConfigException("invalid --output '" + root + "': " + invalid.getMessage());
            }
        }
        local = local.toAbsolutePath().normalize();
        if (Files.exists(local)) {
            if (!Files.isDirectory(local)) {
                throw new InvalidConfigException("invalid --output '" + root + "': it exists and is not a folder;"
                    + " give a folder (it is created if missing)");
            }
            if (!Files.isWritable(local)) {
                throw new InvalidConfigException("invalid --output '" + root + "': the folder is not writable");
            }
            return;
        }
        Path ancestor = local.getParent();
        while (ancestor != null && !Files.exists(ancestor)) {
            ancestor = ancestor.getParent();
        }
        if (ancestor == null || !Files.isDirectory(ancestor) || !Files.isWritable(ancestor)) {
            throw new InvalidConfigException("invalid --output '" + root + "': cannot create it, because "
                + (ancestor == null ? "no parent folder exists" : ancestor + " is not a writable folder"));
        }
    }
}
