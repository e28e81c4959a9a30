package dev.kvcache.engine.lazy;

import dev.kvcache.engine.cache.ConditionalSet;
import dev.kvcache.engine.cache.ResidentSet;
import dev.kvcache.engine.controller.Controller;
import dev.kvcache.engine.controller.ControllerClass;
import dev.kvcache.engine.controller.ControllerRegistry;
import dev.kvcache.engine.controller.ControllerSettings;
import dev.kvcache.engine.controller.ObliviousController;
import dev.kvcache.engine.random.BinomialSampler;
import dev.kvcache.engine.random.Seeds;
import dev.kvcache.engine.task.ChaseTask;
import dev.kvcache.engine.task.PointerLaw;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.rng.UniformRandomProvider;

/**
 * Fixed-effort multilevel splitting for {@code P(E)} under an oblivious controller, with the
 * stages as levels: level {@code t} is "the first {@code t} reads hit".
 *
 * <p>A <em>particle</em> is the lazy engine's revealed state of one trial (drawn pointers, the
 * caches' revealed members, the query's position) just before the draw that decides where the
 * next read lands: the start {@code x0} for the first read, the last hop of the previous stage's
 * jump for the others. A <em>clone</em> of a particle continues from that shared state with its
 * own randomness: it draws the landing, reads it, and survives when the read hits. Splitting
 * before the last hop, not after it, lets each clone draw its own pointer, so the pointer
 * collisions that dominate {@code P(E)} for a fixed cache (a start that points to itself keeps
 * every later read on a resident position) appear at the rate clones are drawn, not at the rate
 * of distinct particles.
 *
 * <p>One replicate carries {@code particles} weighted particles from stage to stage. At stage
 * {@code t} it gives {@code N_t} clones to its particles as evenly as possible; particle
 * {@code i} with {@code c_i} clones has {@code X_i} survivors. The stage's survivors are the
 * next particles' candidates: {@code particles} of them are drawn by systematic resampling with
 * probability proportional to their mass ({@code w_i / c_i} each, {@code w_i} the particle's
 * weight) times a <em>look-ahead</em> {@code L > 0}, a guess of their chance to hit at the next
 * stage, and each drawn one gets the weight {@code 1/L}, normalised. The stage's factor is
 * {@code sum(mass * L)} times the mean of the drawn {@code 1/L}; the last stage's factor is
 * {@code sum_i w_i X_i / c_i}. The replicate's estimate, the product of the factors, is unbiased
 * for {@code P(E)} whatever the look-ahead (it is the particle estimate of a Feynman-Kac
 * normalising constant, with an auxiliary twist); with {@code L} constant it is the plain
 * product of survival fractions. A good look-ahead lets the rare survivors that carry most of
 * {@code P(E)}, such as those whose pointer just landed on a resident position already read,
 * carry on in numbers.
 *
 * <p>Clones of one particle are independent given its state, so they are decided together: a
 * clone's read hits with a probability {@code P_hit} that the state determines (the landing law of
 * the pointer map by deferred decisions times the membership law of {@link ConditionalSet}), the
 * number of surviving clones is drawn from its binomial law, and the survivors' landings from the
 * law of a landing that hit. That is an exact way to run the clones, not an approximation, so
 * {@code N_t} can be large at the cost of the few particles only. {@code N_t} is chosen before the
 * stage's draws so that about {@code survivors} clones are expected to survive
 * ({@code survivors} divided by the particles' mean {@code P_hit}), within
 * {@code [particles, maxClones]}; a choice made from the past does not bias the product.
 *
 * <p>Particles are stored as their seeds and landings, not as copies of the state: a particle is
 * rebuilt by replaying its segments from the start of the trial, each on its own seeded stream.
 * Rebuilding costs about as much as one trial of the plain engine.
 *
 * <p>Everything a replicate draws comes from its seed, so its result is a pure function of the
 * seed, the task, the controller and the three effort settings. An instance is not thread-safe.
 */
public final class SplittingEngine {
    private final ChaseTask task;
    private final SwitchableRandom rng = new SwitchableRandom();
    private final LazyPointers pointers;
    private final ObliviousController controller;
    private final long[] jumps;
    private final int particles;
    private final int survivors;
    private final long maxClones;
    private final LazyPointers.StampedLongMap special = new LazyPointers.StampedLongMap();

    // State of the particle rebuilt last.
    private long start;
    private long position;

    /**
     * Returns why splitting cannot run {@code task} with the named controller, or {@code null}
     * when it can: the controller must be oblivious, and every cache it serves must report its
     * membership law ({@link ConditionalSet}).
     *
     * @throws IllegalArgumentException if the controller name is unknown
     */
    public static String unsupportedReason(ChaseTask task, String controllerName, ControllerSettings settings) {
        ControllerClass controllerClass = ControllerRegistry.entry(controllerName).controllerClass();
        if (controllerClass != ControllerClass.OBLIVIOUS) {
            return "splitting needs an oblivious controller; '" + controllerName + "' is " + controllerClass.label()
                + ", and its cache depends on where the query lands";
        }
        SwitchableRandom probe = new SwitchableRandom();
        ObliviousController controller = (ObliviousController) ControllerRegistry.create(controllerName, task.s(),
            settings, new LazySetFactory(task.n(), probe));
        controller.beginTrial();
        for (int t = 1; t <= task.stages(); t++) {
            ResidentSet cache = controller.cacheAt(t);
            if (!(cache instanceof ConditionalSet)) {
                return "the caches of '" + controllerName + "' (" + cache.getClass().getSimpleName()
                    + ") do not report their membership law, which splitting needs";
            }
        }
        return null;
    }

    /**
     * Creates an engine for {@code task} with the named controller.
     *
     * @param particles particles carried from one stage to the next; at least 1
     * @param survivors surviving clones each stage is sized to expect; at least 1
     * @param maxClones largest effort {@code N_t} of a stage; at least {@code particles}. A stage
     *     also gives no particle more than {@code Integer.MAX_VALUE} clones
     * @throws IllegalArgumentException if splitting cannot run the controller
     *     ({@link #unsupportedReason}), or an effort setting is out of range
     */
    public SplittingEngine(ChaseTask task, String controllerName, ControllerSettings settings, int particles,
                           int survivors, long maxClones) {
        String unsupported = unsupportedReason(task, controllerName, settings);
        if (unsupported != null) {
            throw new IllegalArgumentException(unsupported);
        }
        if (particles < 1 || survivors < 1) {
            throw new IllegalArgumentException("particles and survivors must be at least 1, got " + particles + " and "
                + survivors);
        }
        if (maxClones < particles) {
            throw new IllegalArgumentException("maxClones must be at least particles (" + particles + "), got "
                + maxClones);
        }
        this.task = task;
        this.particles = particles;
        this.survivors = survivors;
        this.maxClones = maxClones;
        this.pointers = new LazyPointers(task.n(), task.law(), rng);
        Controller created = ControllerRegistry.create(controllerName, task.s(), settings,
            new LazySetFactory(task.n(), rng));
        this.controller = (ObliviousController) created;
        int stages = task.stages();
        this.jumps = new long[stages + 1];
        for (int t = 1; t <= stages; t++) {
            jumps[t] = task.jump(t);
        }
    }

    /**
     * The result of one replicate.
     *
     * @param estimate the product of the stages' factors, an unbiased estimate of {@code P(E)}
     * @param factors each stage's factor; the estimate is their product
     * @param clones effort per stage, {@code N_t}
     * @param survived surviving clones per stage, {@code H_t}; a stage with no survivor, or whose
     *     survivors cannot hit again, ends the replicate with estimate 0 and leaves the later
     *     stages at 0
     * @param rebuilt particles rebuilt over the replicate, a measure of its work
     * @param capped stages that wanted more clones than {@code maxClones} and ran with the limit;
     *     such a stage expects fewer survivors than planned, and may see none
     */
    public record Replicate(double estimate, double[] factors, long[] clones, long[] survived, long rebuilt,
                            int capped) {
    }

    /** Runs one replicate whose every draw comes from {@code seed}. */
    public Replicate run(long seed) {
        int stages = task.stages();
        UniformRandomProvider master = Seeds.generator(Seeds.streamSeed(seed, 0));
        double[] factors = new double[stages];
        long[] clones = new long[stages];
        long[] survived = new long[stages];
        long rebuilt = 0;
        int capped = 0;
        // The first stage gives its clones to copies of the trial's start, so no particle gets more
        // than Integer.MAX_VALUE of them. Copies of one state are the same as one particle.
        Particle root = new Particle(null, -1, Seeds.streamSeed(seed, 1), 0);
        List<Particle> current = java.util.Collections.nCopies(particles, root);
        double[] weight = new double[particles];
        Arrays.fill(weight, 1.0 / particles);
        double estimate = 1.0;

        for (int t = 1; t <= stages; t++) {
            // Size the stage from its particles' hit probabilities.
            int count = current.size();
            double[] hitProbability = new double[count];
            double meanHit = 0;
            for (int i = 0; i < count; i++) {
                rebuild(current.get(i));
                rebuilt++;
                hitProbability[i] = Math.min(1.0, landingLaw(t, null));
                meanHit += hitProbability[i] / count;
            }

            long effort = effort(meanHit, count);
            if (meanHit > 0 && survivors / meanHit > Math.min(maxClones, (double) count * Integer.MAX_VALUE)) {
                capped++;
            }
            long[] allotted = allot(effort, count, master);

            // Decide every particle's clones at once, and group the survivors by landing.
            List<Group> groups = new ArrayList<>();
            double mass = 0;
            long hits = 0;
            for (int i = 0; i < count; i++) {
                long x = BinomialSampler.sample(master, allotted[i], hitProbability[i]);
                if (x == 0) {
                    continue;
                }
                hits += x;
                mass += weight[i] * x / allotted[i];
                if (t < stages) {
                    rebuild(current.get(i));
                    rebuilt++;
                    addGroups(t, current.get(i), weight[i] / allotted[i], x, groups, master);
                }
            }

            clones[t - 1] = effort;
            survived[t - 1] = hits;
            if (t == stages || hits == 0) {
                factors[t - 1] = mass;
                estimate *= mass;
                break;
            }

            // Carry survivors on in proportion to mass times look-ahead, weighted by 1 / look-ahead.
            double twisted = 0;
            for (Group g : groups) {
                twisted += g.mass() * g.lookAhead();
            }
            if (!(twisted > 0)) {
                // No survivor can hit at the next stage: the event is impossible from here.
                estimate = 0;
                break;
            }
            double[] newWeight = new double[particles];
            current = resample(groups, twisted, t, newWeight, master);
            double inverseSum = 0;
            for (double w : newWeight) {
                inverseSum += w;
            }
            for (int k = 0; k < newWeight.length; k++) {
                newWeight[k] /= inverseSum;
            }
            weight = newWeight;
            factors[t - 1] = twisted * inverseSum / particles;
            estimate *= factors[t - 1];
        }
        return new Replicate(estimate, factors, clones, survived, rebuilt, capped);
    }

    /**
     * Returns {@code N_t}: about {@code survivors} expected survivors, at least one clone per
     * particle and at most {@code maxClones}.
     */
    private long effort(double meanHit, int count) {
        long ceiling = Math.min(maxClones, (long) count * Integer.MAX_VALUE);
        long floor = Math.max(count, Math.min(survivors, ceiling));
        if (!(meanHit > 0)) {
            return floor;
        }
        double expected = Math.ceil(survivors / meanHit);
        return (long) Math.max(floor, Math.min(ceiling, expected));
    }

    /** Splits {@code effort} clones over {@code count} particles as evenly as possible, the remainder at random. */
    private static long[] allot(long effort, int count, UniformRandomProvider rng) {
        long[] allotted = new long[count];
        Arrays.fill(allotted, effort / count);
        int remainder = (int) (effort % count);
        int[] order = new int[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        for (int i = 0; i < remainder; i++) {
            int j = i + rng.nextInt(count - i);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
            allotted[order[i]]++;
        }
        return allotted;
    }

    /**
     * Spreads the {@code hits} surviving clones of the rebuilt {@code parent} over their landings
     * and adds one group per landing, with its mass (the parent's weight per clone times the
     * survivors) and its look-ahead: a guess of the survivors' chance to hit at stage
     * {@code t + 1}, used only to choose which survivors carry on. Their weights undo the choice,
     * so any positive guess keeps the estimate unbiased; a good one lowers its variance.
     *
     * <p>The guess for a landing on a fresh position is {@code s/n}, the chance of a uniformly
     * random position. For a landing on a known position, the landing is applied to the parent's
     * state; when the pointers drawn so far then decide the next read position, the guess is its
     * membership probability in the next cache (1 when a fixed cache already contains it), else
     * {@code s/n}. That is what makes a start that points to itself, the rare event behind
     * {@code P(E)} of a fixed cache, carry on.
     */
    private void addGroups(int t, Particle parent, double massPerClone, long hits, List<Group> groups,
                           UniformRandomProvider rng) {
        Landings landings = new Landings();
        landingLaw(t, landings);
        long[] perLanding = landings.distribute(hits, rng);
        double fresh = (double) task.s() / task.n();
        boolean parentIntact = true;
        for (int j = 0; j < perLanding.length; j++) {
            if (perLanding[j] > 0 && landings.position(j) < 0) {
                groups.add(new Group(parent, -1, perLanding[j], massPerClone * perLanding[j], fresh));
            }
        }
        for (int j = 0; j < perLanding.length; j++) {
            long landing = landings.position(j);
            if (perLanding[j] == 0 || landing < 0) {
                continue;
            }
            if (!parentIntact) {
                rebuild(parent);
            }
            parentIntact = false;
            double lookAhead = Math.max(fresh * 1e-3, lookAhead(t, landing, fresh));
            groups.add(new Group(parent, landing, perLanding[j], massPerClone * perLanding[j], lookAhead));
        }
    }

    /** Applies {@code landing} to the rebuilt state and returns the look-ahead described in {@link #addGroups}. */
    private double lookAhead(int t, long landing, double fresh) {
        land(t, conditional(controller.cacheAt(t)), landing);
        long p = landing;
        for (long hop = 0; hop < jumps[t]; hop++) {
            p = pointers.drawnImage(p);
            if (p < 0) {
                return fresh;
            }
        }
        return conditional(controller.cacheAt(t + 1)).memberProbability(p);
    }

    /** Makes {@code landing} the read position of stage {@code t} of the rebuilt state, a hit. */
    private void land(int t, ConditionalSet cache, long landing) {
        if (t == 1) {
            start = landing;
        } else {
            long drawn = pointers.drawnImage(position);
            if (drawn < 0) {
                pointers.force(position, landing);
            } else if (drawn != landing) {
                throw new IllegalStateException("replay diverged: f(" + position + ") = " + drawn + ", landing "
                    + landing);
            }
        }
        cache.revealMember(landing);
    }

    /**
     * Draws {@link #particles} survivors by systematic resampling, each group with probability
     * proportional to its mass times its look-ahead, and gives each its own seed for the rest of its
     * trial. {@code inverseLookAhead} receives {@code 1 / lookAhead} of each draw, the weight that
     * undoes the choice.
     */
    private List<Particle> resample(List<Group> groups, double twisted, int level, double[] inverseLookAhead,
                                    UniformRandomProvider rng) {
        List<Particle> next = new ArrayList<>(particles);
        double u = rng.nextDouble();
        int g = 0;
        double cumulative = groups.get(0).mass() * groups.get(0).lookAhead();
        for (int k = 0; k < particles; k++) {
            double target = (u + k) / particles * twisted;
            while (target >= cumulative && g < groups.size() - 1) {
                g++;
                cumulative += groups.get(g).mass() * groups.get(g).lookAhead();
            }
            while (groups.get(g).mass() * groups.get(g).lookAhead() == 0) {
                // Rounding at the very end of the cumulative sum: step back to a group that can be chosen.
                g--;
            }
            Group group = groups.get(g);
            next.add(new Particle(group.parent(), group.landing(), rng.nextLong(), level));
            inverseLookAhead[k] = 1 / group.lookAhead();
        }
        return next;
    }

    /**
     * Rebuilds the state of {@code particle}: the trial's start, then each segment's landing,
     * read and the first {@code h_t - 1} hops of its stage's jump, on the segment's own stream.
     */
    private void rebuild(Particle particle) {
        Particle[] chain = new Particle[particle.level() + 1];
        for (Particle p = particle; p != null; p = p.parent()) {
            chain[p.level()] = p;
        }
        rng.switchTo(chain[0].seed());
        pointers.reset();
        controller.beginTrial();
        start = -1;
        position = -1;
        for (int t = 1; t < chain.length; t++) {
            Particle segment = chain[t];
            ConditionalSet cache = conditional(controller.cacheAt(t));
            rng.switchTo(segment.seed());
            long landing = segment.landing();
            if (landing < 0) {
                collectSpecial(cache);
                landing = cache.drawMemberOutside(p -> special.get(p) >= 0);
            }
            land(t, cache, landing);
            // The next landing is the last hop of this stage's jump; the hops before it are shared.
            position = pointers.jump(landing, jumps[t] - 1);
        }
    }

    /**
     * Computes the law of the landing of the rebuilt particle's next read (stage {@code t}) and
     * returns {@code P_hit}, the probability that the read hits. When {@code landings} is not
     * {@code null} it receives each possible landing position with the probability that a clone
     * lands there and hits, and one entry of position {@code -1} for "a fresh position", which a
     * survivor draws later from its own stream.
     */
    private double landingLaw(int t, Landings landings) {
        ConditionalSet cache = conditional(controller.cacheAt(t));
        if (t > 1) {
            long drawn = pointers.drawnImage(position);
            if (drawn >= 0) {
                double q = cache.memberProbability(drawn);
                if (landings != null) {
                    landings.add(drawn, q);
                }
                return q;
            }
        }

        long n = task.n();
        boolean permutation = task.law() == PointerLaw.PERMUTATION && t > 1;
        // The start is uniform; a new pointer is uniform over [0, n) or, under a permutation, over the unused images.
        double each = 1.0 / (permutation ? n - pointers.usedImageCount() : n);
        collectSpecial(cache);

        double specialMass = 0;
        double hit = 0;
        long[] keys = special.keysSnapshot();
        for (long v : keys) {
            double q = cache.memberProbability(v);
            specialMass += q;
            if (permutation && pointers.isUsedImage(v)) {
                continue;
            }
            if (q > 0) {
                hit += each * q;
                if (landings != null) {
                    landings.add(v, each * q);
                }
            }
        }

        // Every other position is fresh, and the membership probabilities of all positions add up to s.
        double fresh = each * Math.max(0.0, cache.size() - specialMass);
        if (fresh > 0) {
            hit += fresh;
            if (landings != null) {
                landings.add(-1, fresh);
            }
        }
        return hit;
    }

    /** Fills {@link #special} with the positions whose landing differs from a fresh one. */
    private void collectSpecial(ConditionalSet cache) {
        special.clear();
        if (start >= 0) {
            special.put(start, 0);
        }
        pointers.forEachVisited(p -> special.put(p, 0));
        cache.forEachRevealed(p -> special.put(p, 0));
    }

    private static ConditionalSet conditional(ResidentSet set) {
        if (set instanceof ConditionalSet conditional) {
            return conditional;
        }
        throw new IllegalStateException("the cache " + set.getClass().getSimpleName()
            + " cannot report its membership law, which splitting needs");
    }

    /**
     * A particle: its parent (the particle it was cloned from), the landing its segment starts with
     * ({@code -1} when it is a fresh position drawn from {@code seed}), the seed of its segment,
     * and its level (the reads that hit). The root, level 0, carries the seed of the trial's start.
     */
    private record Particle(Particle parent, long landing, long seed, int level) {
    }

    /**
     * Survivors of one particle that landed on the same position ({@code -1}: fresh positions),
     * with their mass (their share of the stage's estimate) and look-ahead.
     */
    private record Group(Particle parent, long landing, long count, double mass, double lookAhead) {
    }

    /** The possible landings of one particle's clones that hit, with their probabilities. */
    private static final class Landings {
        private long[] positions = new long[8];
        private double[] weights = new double[8];
        private int size;

        void add(long position, double weight) {
            if (size == positions.length) {
                positions = Arrays.copyOf(positions, size * 2);
                weights = Arrays.copyOf(weights, size * 2);
            }
            positions[size] = position;
            weights[size] = weight;
            size++;
        }

        long position(int index) {
            return positions[index];
        }

        /**
         * Spreads {@code hits} survivors over the landings in proportion to their weights: a
         * multinomial draw, made as a chain of binomial draws.
         */
        long[] distribute(long hits, UniformRandomProvider rng) {
            double remainingWeight = 0;
            for (int i = 0; i < size; i++) {
                remainingWeight += weights[i];
            }
            long[] counts = new long[size];
            long remaining = hits;
            for (int i = 0; i < size && remaining > 0; i++) {
                if (i == size - 1) {
                    counts[i] = remaining;
                    break;
                }
                double share = remainingWeight > 0 ? Math.min(1.0, weights[i] / remainingWeight) : 1.0;
                counts[i] = BinomialSampler.sample(rng, remaining, share);
                remaining -= counts[i];
                remainingWeight -= weights[i];
            }
            return counts;
        }
    }
}
