package dev.kvcache.jobs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The exit code and console output of one {@link Main#run} call. Standard output and standard
 * error are copied into buffers while the call runs and still reach the real console, so a
 * failing test's report shows what the job printed.
 *
 * @param exitCode the value {@link Main#run} returned
 * @param out what the call printed to {@code System.out}
 * @param err what the call printed to {@code System.err}, log lines included
 */
public record ConsoleRun(int exitCode, String out, String err) {

    /** Runs {@link Main#run} with {@code args} and records its exit code and output. */
    public static ConsoleRun of(String... args) {
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        ByteArrayOutputStream outBuffer = new ByteArrayOutputStream();
        ByteArrayOutputStream errBuffer = new ByteArrayOutputStream();
        int exitCode;
        try (PrintStream out = new PrintStream(new Copy(originalOut, outBuffer), true, StandardCharsets.UTF_8);
             PrintStream err = new PrintStream(new Copy(originalErr, errBuffer), true, StandardCharsets.UTF_8)) {
            System.setOut(out);
            System.setErr(err);
            try {
                exitCode = Main.run(args);
            } finally {
                System.setOut(originalOut);
                System.setErr(originalErr);
            }
        }
        return new ConsoleRun(exitCode, outBuffer.toString(StandardCharsets.UTF_8),
            errBuffer.toString(StandardCharsets.UTF_8));
    }

    /** Runs the job on {@code master}, writing under {@code output}, with one {@code --set} per assignment. */
    public static ConsoleRun withSettings(String master, java.nio.file.Path output, java.util.List<String> assignments) {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("--master", master, "--output",
            output.toString()));
        for (String assignment : assignments) {
            args.add("--set");
            args.add(assignment);
        }
        return of(args.toArray(new String[0]));
    }

    /** Returns both streams, for assertion messages. */
    public String console() {
        return "--- stdout ---\n" + out + "--- stderr ---\n" + err;
    }

    /** Writes every byte to the real console stream and to a buffer, synchronized because Spark threads may write too. */
    private static final class Copy extends OutputStream {
        private final OutputStream console;
        private final ByteArrayOutputStream buffer;

        Copy(OutputStream console, ByteArrayOutputStream buffer) {
            this.console = console;
            this.buffer = buffer;
        }

        @Override
        public synchronized void write(int b) throws IOException {
            console.write(b);
            buffer.write(b);
        }

        @Override
        public synchronized void write(byte[] bytes, int offset, int length) throws IOException {
            console.write(bytes, offset, length);
            buffer.write(bytes, offset, length);
        }

        @Override
        public synchronized void flush() throws IOException {
            console.flush();
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
