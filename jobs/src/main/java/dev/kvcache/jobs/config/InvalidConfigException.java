package dev.kvcache.jobs.config;

/**
 * An invalid configuration or command line. The message names the key, the value and the rule,
 * and says what to do; the job exits with code 2 and writes nothing.
 */
public final class InvalidConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidConfigException(String message) {
        super(message);
    }

    public InvalidConfigException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Returns an exception for {@code key} holding {@code value}, which breaks {@code rule}. */
    public static InvalidConfigException of(String key, Object value, String rule) {
        return new InvalidConfigException("invalid value for '" + key + "': " + render(value) + "; " + rule);
    }

    private static String render(Object value) {
        if (value instanceof String) {
            return "\"" + value + "\"";
        }
        return String.valueOf(value);
    }
}
