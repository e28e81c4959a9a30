package dev.kvcache.jobs.config;

import com.typesafe.config.Config;
import dev.kvcache.engine.depth.DepthBounds;
import dev.kvcache.engine.stats.Binomial;
import dev.kvcache.engine.task.PointerLaw;
import java.io.Serializable;
import java.util.List;
import java.util.Locale;

/**
 * The validated settings of one depth run; see the {@code depth} section of
 * {@code conf/defaults.conf} for each key.
 *
 * @param gridN values of {@code depth.grid.n}
 * @param gridK values of {@code depth.grid.k}
 * @param gridS values of {@code depth.grid.s}
 * @param heads values of {@code depth.grid.H}
 * @param dimensions values of {@code depth.grid.m}
 * @param precisions values of {@code depth.grid.p}
 * @param laws values of {@code depth.grid.laws}
 * @param trials {@code depth.trials}: instances per (n, k, s, law)
 * @param unitTrials {@code depth.unit_trials}
 * @param delta {@code depth.delta}
 * @param spreadLimit {@code depth.verdicts.spread_limit}
 * @param floorConstant {@code depth.verdicts.floor_constant}
 * @param scaling {@code depth.verdicts.scaling}: the bounds whose spread is a verdict
 * @param seed {@code seed}
 * @param confidence {@code confidence}
 * @param partitions {@code partitions}, 0 for automatic
 * @param resolved the resolved settings the depth job reads, rendered as HOCON
 */
public record DepthSettings(
    List<Long> gridN,
    List<Long> gridK,
    List<Long> gridS,
    List<Long> heads,
    List<Long> dimensions,
    List<Long> precisions,
    List<PointerLaw> laws,
    long trials,
    long unitTrials,
    double delta,
    double spreadLimit,
    double floorConstant,
    List<String> scaling,
    long seed,
    double confidence,
    int partitions,
    String resolved) implements Serializable {

    /** The largest {@code n}: a trial materialises three {@code int} arrays of {@code n} entries. */
    public static final long MAX_N = 1L << 24;
    /** The largest {@code k}. */
    public static final long MAX_K = 1L << 24;
    /** The largest trial count per (n, k, s, law). */
    public static final long MAX_TRIALS = 1_000_000_000L;
    /** The largest number of cells, each held by the driver and written to every output. */
    public static final long MAX_CELLS = 100_000;
    /** The largest number of work units, each a task's item and a result the driver merges. */
    public static final long MAX_UNITS = 10_000_000;
    /** The bounds, as {@code depth.verdicts.scaling} names them. */
    public static final List<String> BOUNDS = List.of("lower", "product", "upper");

    /**
     * Returns the fewest trials whose interval, when every trial succeeds, has a low end of at least
     * {@code 1 - delta}. That low end is the one-sided bound {@code (1 - confidence)^(1/N)}.
     */
    static long fewestTrials(double delta, double confidence) {
        double estimate = Math.floor(Math.log(1 - confidence) / Math.log1p(-delta));
        if (estimate > MAX_TRIALS) {
            return (long) Math.min(estimate, Long.MAX_VALUE / 2.0);
        }
        long trials = Math.max(1, (long) estimate);
        while (Binomial.clopperPearson(trials, trials, confidence).low() < 1 - delta) {
            trials++;
        }
        return trials;
    }

    static DepthSettings validate(Config config, String resolved) {
        List<Long> gridN = ConfigValues.integerList(config, "depth.grid.n", 4, MAX_N);
        List<Long> gridK = ConfigValues.integerList(config, "depth.grid.k", 2, MAX_K);
        List<Long> gridS = ConfigValues.integerList(config, "depth.grid.s", 2, MAX_N);
        long largestN = gridN.stream().mapToLong(Long::longValue).max().orElseThrow();
        for (long s : gridS) {
            if (s > largestN) {
                throw InvalidConfigException.of("depth.grid.s", s, "a cache size must not exceed n, and " + s
                    + " exceeds every value of depth.grid.n (largest " + largestN + ")");
            }
        }
        List<Long> heads = ConfigValues.integerList(config, "depth.grid.H", 1, DepthBounds.MAX_FACTOR);
        List<Long> dimensions = ConfigValues.integerList(config, "depth.grid.m", 1, DepthBounds.MAX_FACTOR);
        List<Long> precisions = ConfigValues.integerList(config, "depth.grid.p", 1, DepthBounds.MAX_FACTOR);
        List<PointerLaw> laws = ConfigValues.laws(config, "depth.grid.laws");

        long trials = ConfigValues.integer(config, "depth.trials", 1, MAX_TRIALS);
        long unitTrials = ConfigValues.integer(config, "depth.unit_trials", 1, MAX_TRIALS);
        double delta = ConfigValues.number(config, "depth.delta", 0, true, 1, true);
        double confidence = ConfigValues.number(config, "confidence", 0, true, 1, true);
        double best = Binomial.clopperPearson(trials, trials, confidence).low();
        long fewest = fewestTrials(delta, confidence);
        if (fewest > MAX_TRIALS) {
            throw InvalidConfigException.of("depth.delta", delta, String.format(Locale.ROOT, "a schedule can only"
                + " qualify with at least %d trials at confidence %s, above the limit of %d trials; use a larger"
                + " depth.delta or a lower confidence", fewest, confidence, MAX_TRIALS));
        }
        if (best < 1 - delta) {
            throw InvalidConfigException.of("depth.trials", trials, String.format(Locale.ROOT,
                "even with every trial a success the interval's low end is %.6g, below 1 - delta = %.6g, so no"
                    + " schedule could qualify; use at least %d trials, or a larger depth.delta", best, 1 - delta,
                fewest));
        }
        double spreadLimit = ConfigValues.number(config, "depth.verdicts.spread_limit", 1, false, 1e12, false);
        double floorConstant = ConfigValues.number(config, "depth.verdicts.floor_constant", 0, true, 1e12, false);
        List<String> scaling = ConfigValues.stringList(config, "depth.verdicts.scaling");
        for (String bound : scaling) {
            if (!BOUNDS.contains(bound)) {
                throw InvalidConfigException.of("depth.verdicts.scaling", bound, "unknown bound; known bounds: "
                    + String.join(", ", BOUNDS));
            }
        }
        long seed = ConfigValues.integer(config, "seed", Long.MIN_VALUE, Long.MAX_VALUE);
        int partitions = (int) ConfigValues.integer(config, "partitions", 0, 1_000_000);

        // Sizes before combinations with s > n are skipped, so a little above what runs.
        double simulations = (double) gridN.size() * gridS.size() * gridK.size() * laws.size();
        double cells = simulations * heads.size() * dimensions.size() * precisions.size();
        if (cells > MAX_CELLS) {
            throw InvalidConfigException.of("depth.grid", String.format(Locale.ROOT, "%.0f cells", cells),
                "the driver holds every cell and writes each to the report and summary.json, so at most " + MAX_CELLS
                    + " are allowed; use fewer values of H, m, p or of n, s, k");
        }
        double units = simulations * Math.ceil((double) trials / unitTrials);
        if (units > MAX_UNITS) {
            throw InvalidConfigException.of("depth.unit_trials", unitTrials, String.format(Locale.ROOT,
                "the grid would make %.0f work units, above the limit of %d; raise depth.unit_trials or lower"
                    + " depth.trials", units, MAX_UNITS));
        }
        return new DepthSettings(gridN, gridK, gridS, heads, dimensions, precisions, laws, trials, unitTrials, delta,
            spreadLimit, floorConstant, List.copyOf(scaling), seed, confidence, partitions, resolved);
    }
}
