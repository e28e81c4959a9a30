package dev.kvcache.jobs;

import dev.kvcache.jobs.config.InvalidConfigException;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Starts the job's SparkSession. Under {@code spark-submit} the master and the cluster settings
 * come from it. Otherwise Spark runs embedded: {@code local[*]} unless another master is given,
 * with the driver, block manager and UI bound to 127.0.0.1 and the UI off unless asked for.
 */
final class SparkSessions {
    private static final Pattern MASTER = Pattern.compile(
        "local|local\\[(\\*|[1-9]\\d*)(,[1-9]\\d*)?\\]|local-cluster\\[\\d+,\\d+,\\d+\\]"
            + "|spark://[^\\s]+|yarn|k8s://[^\\s]+");

    private SparkSessions() {
    }

    /**
     * Checks the form of a master URL before Spark starts, so a typo fails as invalid input.
     *
     * @throws InvalidConfigException if {@code master} is not null and has none of the known forms
     */
    static void checkMaster(String master) {
        if (master != null && !MASTER.matcher(master).matches()) {
            throw new InvalidConfigException("invalid --master '" + master + "'; use local[*], local[N],"
                + " spark://HOST:PORT, yarn or k8s://URL");
        }
    }

    /**
     * Checks the values of Spark settings whose type Spark defines (sizes, durations,
     * numbers), the way Spark reads them, so a typo fails as invalid input before anything starts.
     *
     * @throws InvalidConfigException naming the first setting whose value Spark would reject
     */
    static void checkConf(Map<String, String> conf) {
        // Loading the holders of the core and SQL settings registers their entries for findEntry.
        Object registered = org.apache.spark.internal.config.package$.MODULE$;
        Object sql = org.apache.spark.sql.internal.SQLConf$.MODULE$;
        if (conf.containsKey("spark.master")) {
            checkMaster(conf.get("spark.master"));
        }
        for (Map.Entry<String, String> setting : conf.entrySet()) {
            org.apache.spark.internal.config.ConfigEntry<?> entry =
                org.apache.spark.internal.config.ConfigEntry$.MODULE$.findEntry(setting.getKey());
            if (entry == null || registered == null || sql == null) {
                continue;
            }
            try {
                new SparkConf(false).set(setting.getKey(), setting.getValue()).get(entry);
            } catch (RuntimeException e) {
                String message = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
                throw new InvalidConfigException("invalid Spark setting '" + setting.getKey() + "=" + setting.getValue()
                    + "': " + message.strip() + "; fix --spark-conf or the option after --");
            }
        }
    }

    static SparkSession start(String appName, String master, boolean ui, Map<String, String> extra) {
        SparkConf conf = new SparkConf().setAppName(appName);
        boolean submitted = System.getProperty("spark.master") != null;
        if (!submitted) {
            conf.setMaster(master == null ? "local[*]" : master);
        } else if (master != null) {
            conf.setMaster(master);
        }
        String effectiveMaster = conf.get("spark.master", "local[*]");
        if (effectiveMaster.startsWith("local")) {
            conf.setIfMissing("spark.driver.host", "127.0.0.1");
            conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
            conf.setIfMissing("spark.ui.enabled", Boolean.toString(ui));
        } else if (ui) {
            conf.set("spark.ui.enabled", "true");
        }
        // The job prints its own progress line; Spark's bar would draw over it (--spark-conf turns it on).
        conf.setIfMissing("spark.ui.showConsoleProgress", "false");
        for (Map.Entry<String, String> entry : extra.entrySet()) {
            conf.set(entry.getKey(), entry.getValue());
        }
        return SparkSession.builder().config(conf).getOrCreate();
    }

    /**
     * Starts the session as {@link #start} does and checks what Spark can only check then.
     *
     * @throws InvalidConfigException if Spark rejects its configuration at start (it checks the
     *     types of its settings then), or the default parallelism is below 1; the session is stopped
     */
    static SparkSession startChecked(String appName, String master, boolean ui, Map<String, String> extra) {
        SparkSession started;
        try {
            started = start(appName, master, ui, extra);
        } catch (IllegalArgumentException e) {
            throw rejected(e.getMessage());
        }
        try {
            int parallelism = started.sparkContext().defaultParallelism();
            if (parallelism < 1) {
                throw new IllegalArgumentException("spark.default.parallelism must be at least 1, got " + parallelism);
            }
        } catch (IllegalArgumentException e) {
            started.stop();
            throw rejected(e.getMessage());
        }
        return started;
    }

    private static InvalidConfigException rejected(String reason) {
        return new InvalidConfigException("Spark rejected its configuration: " + firstLine(reason)
            + "; check --spark-conf and the spark-submit options after --");
    }

    /** Returns the first line of a message, which is all a one-paragraph error needs. */
    static String firstLine(String message) {
        if (message == null) {
            return "no reason given";
        }
        int newline = message.indexOf('\n');
        return (newline < 0 ? message : message.substring(0, newline)).strip();
    }

    /** Returns the executors that ran the job: 1 in local mode, where the driver runs the tasks. */
    static int executors(SparkSession spark) {
        return Math.max(1, spark.sparkContext().statusTracker().getExecutorInfos().length - 1);
    }
}
