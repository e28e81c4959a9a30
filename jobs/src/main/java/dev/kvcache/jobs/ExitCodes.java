package dev.kvcache.jobs;

/** The process exit codes of the jobs, which schedulers act on. */
public final class ExitCodes {
    /** Every verdict passed. */
    public static final int PASS = 0;
    /** The run finished and at least one verdict failed. */
    public static final int VERDICT_FAILED = 1;
    /** Invalid configuration or command line; nothing was written. */
    public static final int INVALID_INPUT = 2;
    /** The run failed at run time (Spark, the file system, or a bug). */
    public static final int RUNTIME_FAILURE = 3;
    /** The time budget ran out; finished cells are kept and {@code --resume} completes the run. */
    public static final int INCOMPLETE = 4;

    private ExitCodes() {
    }
}
