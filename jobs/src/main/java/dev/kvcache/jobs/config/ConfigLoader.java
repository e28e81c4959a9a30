package dev.kvcache.jobs.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.kvcache.engine.controller.ControllerRegistry;
import dev.kvcache.engine.controller.ControllerSettings;
import dev.kvcache.engine.controller.InitialCache;
import dev.kvcache.engine.task.MissRule;
import dev.kvcache.engine.task.PointerLaw;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Reads the separation job's settings: the bundled defaults ({@code defaults.conf}, a copy of
 * {@code conf/defaults.conf}), overridden by an experiment file, overridden by {@code --set}
 * assignments. Every key must exist in the defaults and every value is checked here, before any
 * work starts; a failure is an {@link InvalidConfigException} naming the key, value and rule.
 */
public final class ConfigLoader {
    /** The largest {@code n}: positions and their sums must stay within a signed 64-bit long. */
    public static final long MAX_N = 1L << 62;
    /** The largest {@code k}: a trial follows up to about {@code 2k} pointers. */
    public static final long MAX_K = 1L << 30;
    /** The largest trial count of one cell. */
    public static final long MAX_TRIALS = 1_000_000_000_000_000L;
    /** Largest {@code splitting.replicates}: each replicate is a task and a value in the cell's output. */
    public static final long MAX_REPLICATES = 10_000;
    /** Largest {@code splitting.particles}: the particles of a stage are held in memory by one task. */
    public static final long MAX_PARTICLES = 1_000_000;

    /** The separation job, as the key {@code job} names it. */
    public static final String SEPARATION = "separation";
    /** The depth job, as the key {@code job} names it. */
    public static final String DEPTH = "depth";
    /** Top-level keys both jobs read. */
    private static final List<String> SHARED_KEYS = List.of("job", "seed", "confidence", "partitions");

    private static final String DEFAULTS_RESOURCE = "defaults.conf";

    private ConfigLoader() {
    }

    /** Returns the bundled defaults. */
    public static Config defaults() {
        Config defaults = ConfigFactory.parseResources(ConfigLoader.class, "/" + DEFAULTS_RESOURCE,
            ConfigParseOptions.defaults().setAllowMissing(false).setSyntax(ConfigSyntax.CONF));
        return defaults.resolve();
    }

    /**
     * Loads and validates the settings.
     *
     * @param file the experiment file, or {@code null} for the defaults alone
     * @param assignments {@code key=value} overrides, applied in order
     * @throws InvalidConfigException if a file is missing or malformed, a key is unknown, or a
     *     value breaks its rule
     */
    public static SeparationSettings load(Path file, List<String> assignments) {
        Merged merged = merge(file, assignments);
        requireJob(merged, SEPARATION);
        return validate(merged.config());
    }

    /**
     * Returns the job a configuration selects ({@code separation} or {@code depth}), after the same
     * checks of files, keys and assignments as {@link #load}.
     *
     * @throws InvalidConfigException if a file is missing or malformed, a key is unknown, or
     *     {@code job} names no job
     */
    public static String jobOf(Path file, List<String> assignments) {
        return job(merge(file, assignments).config());
    }

    /**
     * Loads and validates the settings of the depth job.
     *
     * @throws InvalidConfigException as {@link #load} does, and when the configuration selects
     *     another job or sets keys of the separation job
     */
    public static DepthSettings loadDepth(Path file, List<String> assignments) {
        Merged merged = merge(file, assignments);
        requireJob(merged, DEPTH);
        Config config = merged.config();
        Config own = config.withOnlyPath(DEPTH);
        for (String key : SHARED_KEYS) {
            own = own.withValue(key, config.getValue(key));
        }
        return DepthSettings.validate(config, render(own));
    }

    /** The merged configuration and the keys the experiment file and the assignments set. */
    private record Merged(Config config, List<String> userKeys) {
    }

    private static Merged merge(Path file, List<String> assignments) {
        Config defaults = defaults();
        Config merged = defaults;
        List<String> userKeys = new ArrayList<>();
        if (file != null) {
            Config experiment = parseFile(file);
            rejectUnknownKeys(experiment, defaults, "in " + file);
            userKeys.addAll(leafPaths(experiment));
            merged = experiment.withFallback(merged);
        }
        for (String assignment : assignments) {
            Config override = parseAssignment(assignment);
            rejectUnknownKeys(override, defaults, "in --set " + assignment);
            userKeys.addAll(leafPaths(override));
            merged = override.withFallback(merged);
        }
        try {
            merged = merged.resolve();
        } catch (ConfigException e) {
            throw new InvalidConfigException("the configuration cannot be resolved: " + e.getMessage(), e);
        }
        return new Merged(merged, userKeys);
    }

    private static String job(Config config) {
        String job = ConfigValues.string(config, "job");
        if (!SEPARATION.equals(job) && !DEPTH.equals(job)) {
            throw InvalidConfigException.of("job", job, "unknown job; known jobs: separation, depth");
        }
        return job;
    }

    /** Rejects a configuration of another job, and keys that only the other job reads. */
    private static void requireJob(Merged merged, String expected) {
        String job = job(merged.config());
        if (!job.equals(expected)) {
            throw new InvalidConfigException("the configuration selects job = " + job + ", not " + expected);
        }
        for (String key : merged.userKeys()) {
            if (SHARED_KEYS.contains(key)) {
                continue;
            }
            boolean depthKey = key.startsWith(DEPTH + ".");
            if (DEPTH.equals(job) && !depthKey) {
                throw InvalidConfigException.of(key, merged.config().getValue(key).render(ConfigRenderOptions.concise()), "this key belongs to the"
                    + " separation job, and this configuration runs the depth job (job = depth), which reads only"
                    + " job, seed, confidence, partitions and the depth section; remove it, or set the depth key,"
                    + " for example depth.grid.n or depth.trials");
            }
            if (SEPARATION.equals(job) && depthKey) {
                throw InvalidConfigException.of(key, merged.config().getValue(key).render(ConfigRenderOptions.concise()), "this key belongs to the"
                    + " depth job, and this configuration runs the separation job; add job = depth to run the depth"
                    + " job, or remove the key");
            }
        }
    }

    private static List<String> leafPaths(Config config) {
        List<Map.Entry<String, ConfigValue>> entries = new ArrayList<>();
        collectLeaves(List.of(), config.root(), entries);
        List<String> keys = new ArrayList<>();
        entries.forEach(e -> keys.add(e.getKey()));
        return keys;
    }

    /** Renders a resolved configuration as HOCON without comments, the form of a run's config.conf. */
    static String render(Config config) {
        return config.root().render(ConfigRenderOptions.defaults()
            .setOriginComments(false).setComments(false).setJson(false).setFormatted(true));
    }

    /**
     * Loads the resolved configuration of a run folder ({@code config.conf}) over the bundled
     * defaults, for resuming that run.
     *
     * @throws InvalidConfigException if the text is malformed or invalid
     */
    public static SeparationSettings loadResolved(String text, String origin) {
        Config defaults = defaults();
        Config stored;
        try {
            stored = ConfigFactory.parseString(text, ConfigParseOptions.defaults()
                .setSyntax(ConfigSyntax.CONF).setOriginDescription(origin));
        } catch (ConfigException e) {
            throw new InvalidConfigException("malformed configuration " + origin + ": " + e.getMessage(), e);
        }
        rejectUnknownKeys(stored, defaults, "in " + origin);
        try {
            Config resolved = stored.withFallback(defaults).resolve();
            if (!SEPARATION.equals(job(resolved))) {
                throw new InvalidConfigException("the run folder of " + origin + " contains a " + job(resolved)
                    + " run, which cannot be resumed: the depth job runs in minutes, so run it again");
            }
            return validate(resolved);
        } catch (ConfigException e) {
            throw new InvalidConfigException("the configuration " + origin + " cannot be resolved: " + e.getMessage(), e);
        }
    }

    private static Config parseFile(Path file) {
        if (!Files.exists(file)) {
            throw new InvalidConfigException("configuration file not found: " + file
                + "; give the path of a HOCON file such as conf/separation.conf");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new InvalidConfigException("configuration file is not a readable file: " + file);
        }
        try {
            // Reading the text first rejects a file that is not UTF-8. Parsing the file itself, not the
            // text, resolves an include with a relative path next to the file.
            Files.readString(file, StandardCharsets.UTF_8);
            return ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults()
                .setSyntax(ConfigSyntax.CONF).setAllowMissing(false));
        } catch (ConfigException e) {
            throw new InvalidConfigException("malformed configuration file " + file + ": " + e.getMessage(), e);
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new InvalidConfigException("cannot read configuration file " + file + ": " + e.getMessage(), e);
        }
    }

    private static Config parseAssignment(String assignment) {
        int equals = assignment.indexOf('=');
        if (equals <= 0) {
            throw new InvalidConfigException("invalid --set '" + assignment + "'; write --set key=value, for example"
                + " --set trials=1000000 or --set grid.n=[4096]");
        }
        try {
            return ConfigFactory.parseString(assignment, ConfigParseOptions.defaults()
                .setSyntax(ConfigSyntax.CONF).setOriginDescription("--set " + assignment));
        } catch (ConfigException e) {
            String hint = assignment.contains("^") ? "; write powers in quotes, for example --set 'grid.n=[\"2^20\"]'" : "";
            throw new InvalidConfigException("malformed --set '" + assignment + "': " + e.getMessage() + hint, e);
        }
    }

    private static void rejectUnknownKeys(Config candidate, Config defaults, String where) {
        List<Map.Entry<String, ConfigValue>> entries = new ArrayList<>();
        collectLeaves(List.of(), candidate.root(), entries);
        for (Map.Entry<String, ConfigValue> entry : entries) {
            String key = entry.getKey();
            boolean known;
            try {
                known = defaults.hasPathOrNull(key);
            } catch (ConfigException e) {
                known = false;
            }
            if (!known) {
                throw new InvalidConfigException("unknown key '" + key + "' " + where + " (value "
                    + entry.getValue().render(ConfigRenderOptions.concise()) + "); known keys: " + String.join(", ", new TreeSet<>(leafKeys(defaults))));
            }
            if (defaults.getValue(key).valueType() == ConfigValueType.OBJECT) {
                String example = leafKeys(defaults.getConfig(key)).stream().sorted().findFirst()
                    .map(k -> key + "." + k).orElse(key);
                throw new InvalidConfigException("invalid value for '" + key + "' " + where + ": "
                    + entry.getValue().render(ConfigRenderOptions.concise()) + "; '" + key + "' is a section, not a value, so set its keys"
                    + " instead, for example " + example);
            }
        }
    }

    /**
     * Collects every leaf of {@code object} with its dotted path, null values included (which
     * {@link Config#entrySet()} leaves out, so a misspelt {@code key = null} would pass unseen).
     */
    private static void collectLeaves(List<String> prefix, ConfigObject object,
                                      List<Map.Entry<String, ConfigValue>> out) {
        for (Map.Entry<String, ConfigValue> entry : object.entrySet()) {
            List<String> path = new ArrayList<>(prefix);
            path.add(entry.getKey());
            if (entry.getValue() instanceof ConfigObject) {
                collectLeaves(path, (ConfigObject) entry.getValue(), out);
            } else {
                out.add(Map.entry(ConfigUtil.joinPath(path), entry.getValue()));
            }
        }
    }

    private static List<String> leafKeys(Config config) {
        List<String> keys = new ArrayList<>();
        for (Map.Entry<String, ConfigValue> entry : config.entrySet()) {
            keys.add(entry.getKey());
        }
        return keys;
    }

    private static SeparationSettings validate(Config config) {
        List<Long> gridN = ConfigValues.integerList(config, "grid.n", 2, MAX_N);
        List<Long> gridS = ConfigValues.integerList(config, "grid.s", 1, MAX_N);
        List<Long> gridK = ConfigValues.integerList(config, "grid.k", 2, MAX_K);
        long largestN = gridN.stream().mapToLong(Long::longValue).max().orElseThrow();
        for (long s : gridS) {
            if (s > largestN) {
                throw InvalidConfigException.of("grid.s", s, "a cache size must not exceed n, and " + s
                    + " exceeds every value of grid.n (largest " + largestN + ")");
            }
        }

        List<String> controllers = ConfigValues.stringList(config, "grid.controllers");
        for (String name : controllers) {
            if (!ControllerRegistry.contains(name)) {
                throw InvalidConfigException.of("grid.controllers", name, "unknown controller; known controllers: "
                    + String.join(", ", ControllerRegistry.names()));
            }
        }
        List<PointerLaw> laws = ConfigValues.laws(config, "grid.laws");

        List<String> engines = ConfigValues.stringList(config, "grid.engines");
        for (String engine : engines) {
            if (!SimulationEngine.isKnown(engine)) {
                throw InvalidConfigException.of("grid.engines", engine, "unknown engine; known engines: "
                    + SimulationEngine.knownNames());
            }
        }
        List<String> scenarios = ConfigValues.stringList(config, "grid.scenarios");
        for (String scenario : scenarios) {
            if (!SimulationScenario.isKnown(scenario)) {
                throw InvalidConfigException.of("grid.scenarios", scenario, "unknown scenario; known scenarios: "
                    + SimulationScenario.knownNames());
            }
        }

        long trials = ConfigValues.integer(config, "trials", 1, MAX_TRIALS);
        double relError = ConfigValues.number(config, "precision.rel_error", 0, false, 1, true);
        long maxTrials = ConfigValues.integer(config, "precision.max_trials", 1, MAX_TRIALS);
        if (relError > 0 && maxTrials < trials) {
            throw InvalidConfigException.of("precision.max_trials", maxTrials, "it must be at least trials ("
                + trials + ") when precision.rel_error is set");
        }
        long seed = ConfigValues.integer(config, "seed", Long.MIN_VALUE, Long.MAX_VALUE);
        double confidence = ConfigValues.number(config, "confidence", 0, true, 1, true);
        double alpha = ConfigValues.number(config, "alpha", 0, true, 1, true);
        long answerTrials = ConfigValues.integer(config, "answer_trials", 0, MAX_TRIALS);
        int partitions = (int) ConfigValues.integer(config, "partitions", 0, 1_000_000);
        long unitTrials = ConfigValues.integer(config, "unit_trials", 1, 1L << 40);

        MissRule missRule;
        String missRuleName = ConfigValues.string(config, "miss_rule");
        try {
            missRule = MissRule.fromConfigName(missRuleName);
        } catch (IllegalArgumentException e) {
            throw InvalidConfigException.of("miss_rule", missRuleName, "unknown miss rule; known rules: "
                + MissRule.knownNames());
        }
        long sinks = ConfigValues.integer(config, "window.sinks", 0, MAX_N);
        String initialName = ConfigValues.string(config, "adaptive.initial");
        InitialCache initial;
        try {
            initial = InitialCache.fromConfigName(initialName);
        } catch (IllegalArgumentException e) {
            throw InvalidConfigException.of("adaptive.initial", initialName, "unknown initial cache rule; known rules: "
                + InitialCache.knownNames());
        }

        double temperature = ConfigValues.number(config, "attention.temperature", 0, false, 1e12, false);

        String choiceName = ConfigValues.string(config, "estimator");
        EstimatorSettings.Choice choice = EstimatorSettings.Choice.fromConfigName(choiceName);
        if (choice == null) {
            throw InvalidConfigException.of("estimator", choiceName, "unknown estimator; known estimators: plain,"
                + " splitting, auto");
        }
        int replicates = (int) ConfigValues.integer(config, "splitting.replicates", 2, MAX_REPLICATES);
        int particles = (int) ConfigValues.integer(config, "splitting.particles", 1, MAX_PARTICLES);
        int survivors = (int) ConfigValues.integer(config, "splitting.survivors", 1, Integer.MAX_VALUE);
        long maxClones = ConfigValues.integer(config, "splitting.max_clones", 1, 1L << 62);
        if (maxClones < particles) {
            throw InvalidConfigException.of("splitting.max_clones", maxClones, "it must be at least"
                + " splitting.particles (" + particles + "), so that every particle gets a clone");
        }
        EstimatorSettings estimator = new EstimatorSettings(choice, replicates, particles, survivors, maxClones);

        // A run's config.conf contains what its job reads, so the depth section stays out.
        String resolved = render(config.withoutPath(DEPTH));
        return new SeparationSettings(gridN, gridS, gridK, controllers, laws, engines, scenarios, trials, relError, maxTrials, seed,
            confidence, alpha, answerTrials, partitions, unitTrials, missRule, new ControllerSettings(sinks, initial, temperature), estimator, resolved);
    }
}
