package dev.kvcache.jobs.depth;

import dev.kvcache.engine.depth.DepthBounds;
import dev.kvcache.engine.depth.WindowSchedule;
import dev.kvcache.engine.random.Seeds;
import dev.kvcache.engine.task.PointerLaw;
import dev.kvcache.jobs.config.DepthSettings;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The work of one depth run: the simulations, one per {@code (n, k, s, law)}, which every
 * {@code (H, m, p)} shares because the bandwidth only prices the reads; the cells, one per
 * simulation and {@code (H, m, p)}; and the work units, dealt to partitions.
 *
 * @param simulations the simulations in grid order
 * @param cells the cells in grid order
 * @param partitions the work units of each partition
 * @param skipped grid combinations left out, each with the reason
 */
public record DepthPlan(List<Simulation> simulations, List<DepthCell> cells, List<List<Unit>> partitions,
                        List<String> skipped) {

    /**
     * One simulation: every candidate window of {@code (n, k, s, law)} on the same instances.
     *
     * @param index position in {@link #simulations()}
     * @param stream the random stream's coordinate, a function of {@code (n, k, s, law)} alone, so
     *     adding grid values leaves the other simulations' instances unchanged
     */
    public record Simulation(int index, long n, long k, long s, PointerLaw law, List<Long> windows, long trials,
                             long stream) implements Serializable {
        /** Returns a label such as {@code n=2^16 k=64 s=16 law=function}. */
        public String label() {
            return String.format(Locale.ROOT, "n=%s k=%d s=%d law=%s", power(n), k, s, law.configName());
        }
    }

    /** One cell: a simulation priced at one bandwidth {@code (H, m, p)}. */
    public record DepthCell(Simulation simulation, DepthBounds bounds) implements Serializable {
        /** Returns a label such as {@code n=2^16 k=64 s=16 H=1 m=4 p=2 law=function}. */
        public String label() {
            return String.format(Locale.ROOT, "n=%s k=%d s=%d H=%d m=%d p=%d law=%s", power(bounds.n()), bounds.k(),
                bounds.s(), bounds.heads(), bounds.dimension(), bounds.precision(), simulation.law().configName());
        }
    }

    /** A block of trials of one simulation, run from its own random stream. */
    public record Unit(int simulation, long block, long trials) implements Serializable {
    }

    /** Plans the run of {@code settings} over {@code partitionCount} partitions. */
    public static DepthPlan of(DepthSettings settings, int partitionCount) {
        List<Simulation> simulations = new ArrayList<>();
        List<DepthCell> cells = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (long n : settings.gridN()) {
            for (long s : settings.gridS()) {
                if (s > n) {
                    skipped.add(String.format(Locale.ROOT, "n=%s s=%d: the cache is larger than n", power(n), s));
                    continue;
                }
                for (long k : settings.gridK()) {
                    for (PointerLaw law : settings.laws()) {
                        Simulation simulation = new Simulation(simulations.size(), n, k, s, law,
                            WindowSchedule.candidates(k, s), settings.trials(), stream(n, k, s, law));
                        simulations.add(simulation);
                        for (long h : settings.heads()) {
                            for (long m : settings.dimensions()) {
                                for (long p : settings.precisions()) {
                                    cells.add(new DepthCell(simulation, new DepthBounds(n, k, s, h, m, p)));
                                }
                            }
                        }
                    }
                }
            }
        }
        List<Unit> units = new ArrayList<>();
        for (Simulation simulation : simulations) {
            long block = 0;
            for (long done = 0; done < simulation.trials(); done += settings.unitTrials()) {
                units.add(new Unit(simulation.index(), block++, Math.min(settings.unitTrials(), simulation.trials() - done)));
            }
        }
        return new DepthPlan(simulations, cells, deal(units, simulations, Math.max(1, partitionCount)), skipped);
    }

    /** Returns the number of work units. */
    public int unitCount() {
        return partitions.stream().mapToInt(List::size).sum();
    }

    /** Returns the trials of every simulation together. */
    public long totalTrials() {
        return simulations.stream().mapToLong(Simulation::trials).sum();
    }

    /**
     * Estimates the work of a unit in pointer steps: drawing the map ({@code n}) and playing each
     * window's schedule, which touches about {@code k (J + 1)} positions.
     */
    static double cost(Simulation simulation, long trials) {
        double schedules = 0;
        for (long window : simulation.windows()) {
            schedules += (double) simulation.k() * (Long.numberOfTrailingZeros(window) + 2);
        }
        return trials * (simulation.n() + schedules);
    }

    /** Deals the units to partitions, the most expensive first, each to the least loaded partition. */
    private static List<List<Unit>> deal(List<Unit> units, List<Simulation> simulations, int partitionCount) {
        List<Unit> sorted = new ArrayList<>(units);
        sorted.sort(Comparator.comparingDouble((Unit u) -> -cost(simulations.get(u.simulation()), u.trials()))
            .thenComparingInt(Unit::simulation).thenComparingLong(Unit::block));
        int count = Math.min(partitionCount, Math.max(1, sorted.size()));
        List<List<Unit>> partitions = new ArrayList<>();
        double[] load = new double[count];
        for (int i = 0; i < count; i++) {
            partitions.add(new ArrayList<>());
        }
        for (Unit unit : sorted) {
            int lightest = 0;
            for (int i = 1; i < count; i++) {
                if (load[i] < load[lightest]) {
                    lightest = i;
                }
            }
            partitions.get(lightest).add(unit);
            load[lightest] += cost(simulations.get(unit.simulation()), unit.trials());
        }
        return partitions;
    }

    private static long stream(long n, long k, long s, PointerLaw law) {
        return Seeds.mix(Seeds.mix(Seeds.mix(Seeds.mix(n) ^ k) ^ s) ^ law.ordinal());
    }

    /** Prints powers of two from 1024 on as {@code 2^e}. */
    static String power(long n) {
        return n >= 1024 && Long.bitCount(n) == 1 ? "2^" + Long.numberOfTrailingZeros(n) : Long.toString(n);
    }
}
