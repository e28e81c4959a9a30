package dev.kvcache.jobs.plan;

import dev.kvcache.engine.controller.ControllerClass;
import dev.kvcache.engine.controller.ControllerRegistry;
import dev.kvcache.engine.exact.ExactValues;
import dev.kvcache.engine.lazy.SplittingEngine;
import dev.kvcache.engine.random.Seeds;
import dev.kvcache.engine.task.ChaseTask;
import dev.kvcache.engine.task.PointerLaw;
import dev.kvcache.jobs.config.EstimatorSettings;
import dev.kvcache.jobs.config.EstimatorSettings.Choice;
import dev.kvcache.jobs.config.EstimatorSettings.Estimator;
import dev.kvcache.jobs.config.InvalidConfigException;
import dev.kvcache.jobs.config.SeparationSettings;
import dev.kvcache.jobs.config.SimulationEngine;
import dev.kvcache.jobs.config.SimulationScenario;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;
import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * Turns settings into a plan: the grid's cells (the product of its lists, minus the combinations
 * with {@code s > n}, which are reported), their trial counts, and the work units dealt to
 * partitions. Everything here is deterministic, and nothing random is created.
 */
public final class Planner {
    private Planner() {
    }

    /** The maximum number of work units of a plan; each is a small object on the driver. */
    public static final long MAX_UNITS = 10_000_000;

    /**
     * Checks that the plan of {@code settings} has at least one cell and stays within
     * {@link #MAX_UNITS} work units, before anything is built.
     *
     * @throws InvalidConfigException if it does not; the message names the keys to change
     */
    public static void checkSize(SeparationSettings settings) {
        List<String> skipped = new ArrayList<>();
        List<Cell> cells = cells(settings, skipped);
        if (cells.isEmpty()) {
            throw new InvalidConfigException("the grid has no cell that an engine can run; every combination was"
                + " skipped: " + String.join("; ", skipped.subList(0, Math.min(3, skipped.size())))
                + (skipped.size() > 3 ? "; and " + (skipped.size() - 3) + " more" : "")
                + ". Change grid.engines, grid.scenarios, attention.temperature or estimator");
        }
        long totalTrials = 0;
        for (Cell cell : cells) {
            totalTrials += cell.trials();
            if (totalTrials < 0) {
                throw InvalidConfigException.of("trials", settings.trials(), "the grid's trials add up to more than"
                    + " 2^63 - 1; lower trials, precision.max_trials or the grid");
            }
        }
        long units = 0;
        for (Cell cell : cells) {
            units += (cell.trials() + settings.unitTrials() - 1) / settings.unitTrials() + cell.replicates();
            if (units > MAX_UNITS) {
                throw InvalidConfigException.of("unit_trials", settings.unitTrials(), "the grid would need more than "
                    + MAX_UNITS + " work units; raise unit_trials, or lower trials (" + settings.trials()
                    + ") or splitting.replicates (" + settings.estimator().replicates() + ")");
            }
        }
    }

    /** Plans a run over {@code partitions} partitions. */
    public static Plan plan(SeparationSettings settings, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
        }
        List<String> skipped = new ArrayList<>();
        List<Cell> cells = cells(settings, skipped);
        return new Plan(cells, skipped, deal(cells, settings.unitTrials(), partitions,
            settings.estimator().particles()));
    }

    /** Returns the grid's cells in table order, adding a line to {@code skipped} per dropped combination. */
    static List<Cell> cells(SeparationSettings settings, List<String> skipped) {
        List<Cell> cells = new ArrayList<>();
        for (long n : settings.gridN()) {
            for (long s : settings.gridS()) {
                if (s > n) {
                    skipped.add("n=" + n + " s=" + s + ": the cache size s exceeds n");
                    continue;
                }
                for (long k : settings.gridK()) {
                    for (String controller : settings.controllers()) {
                        for (PointerLaw law : settings.laws()) {
                            for (String engineName : settings.engines()) {
                                for (String scenarioName : settings.scenarios()) {
                                    SimulationEngine engine = SimulationEngine.fromConfigName(engineName);
                                    SimulationScenario scenario = SimulationScenario.fromConfigName(scenarioName);
                                    ChaseTask task = new ChaseTask(n, s, k, law, settings.missRule());
                                    String reason = unsupported(settings, task, controller, engine, scenario);
                                    if (reason != null) {
                                        skipped.add("n=" + n + " s=" + s + " k=" + k + " " + controller + " "
                                            + law.configName() + " " + engine.configName() + " "
                                            + scenario.configName() + ": " + reason);
                                        continue;
                                    }
                                    cells.add(cell(cells.size(), settings, task, controller, engine, scenario));
                                }
                            }
                        }
                    }
                }
            }
        }
        return cells;
    }

    /** Returns why an engine cannot run a combination, or {@code null} when it can. */
    private static String unsupported(SeparationSettings settings, ChaseTask task, String controller,
                                      SimulationEngine engine, SimulationScenario scenario) {
        if (engine == SimulationEngine.LAZY && scenario == SimulationScenario.FULL_COMPRESSION) {
            return "the full-compression scenario needs the dense engine";
        }
        if (engine == SimulationEngine.DENSE && task.n() > SimulationEngine.DENSE_MAX_N) {
            return "the dense engine materialises n positions per trial and takes n up to "
                + SimulationEngine.DENSE_MAX_N;
        }
        if (engine == SimulationEngine.LAZY && !settings.controllerSettings().hardAttention()
            && ControllerRegistry.entry(controller).controllerClass() == ControllerClass.ADAPTIVE) {
            return "soft attention (attention.temperature above 0) needs the dense engine for adaptive controllers";
        }
        return null;
    }

    /**
     * Returns why splitting cannot estimate a combination, or {@code null} when it can: the
     * combination must be one the splitting engine runs, and its work must be within reach. A
     * stage's first read hits with probability {@code s/n}, so {@code splitting.max_clones} must
     * give it at least {@link #MIN_STAGE_SURVIVORS} expected survivors; and a replicate replays
     * about {@code particles * 2^(T+1)} pointer hops, which must stay below
     * {@link #MAX_REPLICATE_HOPS}.
     */
    public static String splittingUnsupported(SeparationSettings settings, ChaseTask task, String controller,
                                       SimulationEngine engine, SimulationScenario scenario) {
        if (engine != SimulationEngine.LAZY || scenario != SimulationScenario.DECODE) {
            return "splitting runs on the lazy engine in the decode scenario only";
        }
        String reason = SplittingEngine.unsupportedReason(task, controller, settings.controllerSettings());
        if (reason != null) {
            return reason;
        }
        double clones = Math.min(settings.estimator().maxClones(),
            (double) settings.estimator().particles() * Integer.MAX_VALUE);
        double survivors = clones * task.s() / task.n();
        if (survivors < MIN_STAGE_SURVIVORS) {
            return String.format(Locale.ROOT, "a stage of splitting would expect %.2g survivors with at most %.3g"
                + " clones (splitting.max_clones, and 2^31 - 1 per particle), since n/s = %.3g clones give one"
                + " survivor", survivors, clones, (double) task.n() / task.s());
        }
        double hops = settings.estimator().particles() * Math.pow(2, task.stages() + 1);
        if (hops > MAX_REPLICATE_HOPS) {
            return String.format(Locale.ROOT, "a splitting replicate would replay about %.2g pointer hops"
                + " (splitting.particles x 2^(T+1) with T = %d)", hops, task.stages());
        }
        return null;
    }

    /** Expected survivors of a stage below which splitting is out of reach (see {@link #splittingUnsupported}). */
    public static final double MIN_STAGE_SURVIVORS = 10;
    /** Pointer hops a splitting replicate may replay, about 20 s of work on one core. */
    public static final double MAX_REPLICATE_HOPS = 2e9;

    /**
     * Returns the estimator of a cell. {@code plain} is plain everywhere. {@code splitting} uses
     * splitting for every cell it can estimate ({@link #splittingUnsupported}) and plain for the
     * others, such as the adaptive cells, which are never rare. {@code auto} uses splitting where it
     * can estimate the cell and the cell's plain trials expect fewer than {@link #VISIBLE_EVENTS}
     * events.
     */
    static Estimator estimatorFor(SeparationSettings settings, ChaseTask task, String controller,
                                  SimulationEngine engine, SimulationScenario scenario, double exact, long plainTrials) {
        Choice choice = settings.estimator().choice();
        if (choice == Choice.PLAIN) {
            return Estimator.PLAIN;
        }
        boolean requested = choice == Choice.SPLITTING || (exact > 0 && exact * plainTrials < VISIBLE_EVENTS);
        return requested && splittingUnsupported(settings, task, controller, engine, scenario) == null
            ? Estimator.SPLITTING
            : Estimator.PLAIN;
    }

    /** Expected events below which {@code estimator = auto} picks splitting: plain counts see too little. */
    public static final double VISIBLE_EVENTS = 100;

    private static Cell cell(int index, SeparationSettings settings, ChaseTask task, String controller,
                             SimulationEngine engine, SimulationScenario scenario) {
        ControllerRegistry.Entry entry = ControllerRegistry.entry(controller);
        double exact;
        try {
            exact = scenario == SimulationScenario.DECODE
                ? entry.exact().eventProbability(task.law(), task.n(), task.s(), task.k())
                : Double.NaN;
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException("invalid combination of 'grid.n' = " + task.n() + " and 'grid.k' = "
                + task.k() + " for controller " + controller + ": its exact value cannot be computed ("
                + e.getMessage() + "); lower k or n, or drop the controller", e);
        }
        double paper;
        if (entry.controllerClass() == ControllerClass.ADAPTIVE) {
            paper = ExactValues.adaptive(task.n(), task.s());
        } else if (entry.controllerClass() == ControllerClass.OBLIVIOUS) {
            paper = ExactValues.obliviousBound(task.n(), task.s(), task.k());
        } else {
            paper = Double.NaN;
        }
        boolean regime = ExactValues.inTheoremRegime(task.n(), task.s(), task.k());
        long trials = trialsFor(settings, exact);
        Estimator estimator = estimatorFor(settings, task, controller, engine, scenario, exact, trials);
        int replicates = 0;
        if (estimator == Estimator.SPLITTING) {
            // The plain trials of a splitting cell only serve its wrong-answer rate.
            trials = Math.min(settings.trials(), settings.answerTrials());
            replicates = settings.estimator().replicates();
        }
        return new Cell(index, cellKey(settings, task, controller, engine, scenario), task, controller,
            entry.controllerClass(), engine, scenario, trials,
            Math.min(trials, settings.answerTrials()), exact, paper, regime, estimator, replicates);
    }

    /**
     * Returns a cell's trials: {@code trials}, or with a precision target the count whose interval
     * half-width is about {@code rel_error * P(E)}, when that count is at most {@code max_trials}.
     */
    static long trialsFor(SeparationSettings settings, double exact) {
        long base = settings.trials();
        if (settings.relError() <= 0 || !(exact > 0) || exact >= 1) {
            return base;
        }
        double z = new NormalDistribution().inverseCumulativeProbability(0.5 + settings.confidence() / 2);
        double needed = Math.ceil(z * z * (1 - exact) / (exact * settings.relError() * settings.relError()));
        if (needed > settings.maxTrials()) {
            return base;
        }
        return Math.max(base, (long) needed);
    }

    /**
     * Returns the stable identity of a cell: a 64-bit hash of everything that defines its trials,
     * so adding or removing other cells never changes this cell's randomness.
     */
    static long cellKey(SeparationSettings settings, ChaseTask task, String controller, SimulationEngine engine,
                        SimulationScenario scenario) {
        String canonical = "n=" + task.n() + ";s=" + task.s() + ";k=" + task.k() + ";controller=" + controller
            + ";law=" + task.law().configName() + ";miss=" + task.missRule().configName()
            + ";sinks=" + settings.controllerSettings().sinks()
            + ";initial=" + settings.controllerSettings().initial().configName();
        // The lazy engine in the decode scenario with hard attention keeps the key it always had.
        if (engine != SimulationEngine.LAZY) {
            canonical += ";engine=" + engine.configName();
        }
        if (scenario != SimulationScenario.DECODE) {
            canonical += ";scenario=" + scenario.configName();
        }
        if (!settings.controllerSettings().hardAttention()) {
            canonical += ";temperature=" + Double.toString(settings.controllerSettings().temperature());
        }
        long h = 0xcbf29ce484222325L;
        for (byte b : canonical.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        return Seeds.mix(h);
    }

    /**
     * Splits every cell into units of at most {@code unitTrials} trials and deals them to
     * partitions by longest-processing-time-first, with the cost of a unit estimated from its
     * trials (a few steps each until the first miss) and its answer trials (about {@code 2k}
     * pointer steps each). Ties are broken by cell and block, so the deal is
     * deterministic.
     */
    static List<List<WorkUnit>> deal(List<Cell> cells, long unitTrials, int partitions) {
        return deal(cells, unitTrials, partitions, EstimatorSettings.defaults().particles());
    }

    static List<List<WorkUnit>> deal(List<Cell> cells, long unitTrials, int partitions, int particles) {
        List<WorkUnit> units = new ArrayList<>();
        for (Cell cell : cells) {
            long blocks = (cell.trials() + unitTrials - 1) / unitTrials;
            for (long b = 0; b < blocks; b++) {
                long first = b * unitTrials;
                long trials = Math.min(unitTrials, cell.trials() - first);
                long answers = Math.max(0, Math.min(trials, cell.answerTrials() - first));
                units.add(WorkUnit.trials(cell.index(), b, trials, answers));
            }
            for (int r = 0; r < cell.replicates(); r++) {
                units.add(WorkUnit.replicate(cell.index(), r));
            }
        }
        Comparator<WorkUnit> byCost = Comparator.<WorkUnit>comparingDouble(u -> -cost(cells.get(u.cellIndex()), u, particles))
            .thenComparingInt(WorkUnit::cellIndex).thenComparingLong(WorkUnit::block);
        units.sort(byCost);
        List<List<WorkUnit>> assigned = new ArrayList<>();
        double[] load = new double[partitions];
        for (int p = 0; p < partitions; p++) {
            assigned.add(new ArrayList<>());
        }
        PriorityQueue<Integer> leastLoaded = new PriorityQueue<>(
            Comparator.<Integer>comparingDouble(p -> load[p]).thenComparingInt(p -> p));
        for (int p = 0; p < partitions; p++) {
            leastLoaded.add(p);
        }
        for (WorkUnit unit : units) {
            int p = leastLoaded.poll();
            assigned.get(p).add(unit);
            load[p] += cost(cells.get(unit.cellIndex()), unit, particles);
            leastLoaded.add(p);
        }
        return assigned;
    }

    /** Returns the estimated cost of a unit, in arbitrary units that are comparable across units. */
    public static double cost(Cell cell, WorkUnit unit, int particles) {
        if (unit.replicate()) {
            // Each stage rebuilds its particles about twice, each replaying the hops so far.
            return particles * 4.0 * Math.pow(2, cell.stages());
        }
        return (double) unit.trials() * (cell.stages() + 8) + (double) unit.answerTrials() * 2 * cell.task().k();
    }
}
