package dev.kvcache.engine.estimate;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Exact, mergeable counts of one cell's trials: how many ran, how many saw the event {@code E}
 * (every read hit), the histogram of the first-miss stage, and, among the trials that followed
 * the query to its answer, how many answered correctly.
 *
 * <p>Merging is addition, so the counts of a cell do not depend on how its trials were split into
 * work units or partitions.
 */
public final class TrialCounts implements Serializable {
    private static final long serialVersionUID = 1L;

    private long trials;
    private long events;
    private long answered;
    private long correct;
    /** {@code firstMiss[t]} counts trials whose first miss was at stage {@code t}; index 0 is unused. */
    private final long[] firstMiss;

    /** Creates empty counts for a cell with {@code stages} doubling stages. */
    public TrialCounts(int stages) {
        if (stages < 1) {
            throw new IllegalArgumentException("stages must be at least 1, got " + stages);
        }
        this.firstMiss = new long[stages + 1];
    }

    /**
     * Returns counts with the given totals, as {@link #trials()}, {@link #events()},
     * {@link #answered()}, {@link #correct()} and {@link #firstMissHistogram()} report them; for
     * reading back counts that were written out.
     *
     * @throws IllegalArgumentException if the values are inconsistent: negative, more correct
     *     than answered, more answered than trials, or events and first misses not adding up to
     *     the trials
     */
    public static TrialCounts of(long trials, long events, long answered, long correct, long[] firstMissByStage) {
        TrialCounts counts = new TrialCounts(firstMissByStage.length);
        long misses = 0;
        for (int t = 1; t <= firstMissByStage.length; t++) {
            if (firstMissByStage[t - 1] < 0) {
                throw new IllegalArgumentException("negative first-miss count at stage " + t);
            }
            counts.firstMiss[t] = firstMissByStage[t - 1];
            misses = Math.addExact(misses, firstMissByStage[t - 1]);
        }
        if (trials < 0 || events < 0 || answered < 0 || correct < 0 || correct > answered || answered > trials
            || Math.addExact(events, misses) != trials) {
            throw new IllegalArgumentException("inconsistent counts: trials " + trials + ", events " + events
                + ", answered " + answered + ", correct " + correct + ", first misses " + misses);
        }
        counts.trials = trials;
        counts.events = events;
        counts.answered = answered;
        counts.correct = correct;
        return counts;
    }

    /**
     * Records one trial. {@code firstMissStage} is 0 when every read hit; {@code answered} is
     * whether the query was followed to its answer, and {@code answerCorrect} whether that answer
     * was {@code f^k(x0)} (ignored when not answered).
     */
    public void record(int firstMissStage, boolean answered, boolean answerCorrect) {
        trials++;
        if (firstMissStage == 0) {
            events++;
        } else {
            firstMiss[firstMissStage]++;
        }
        if (answered) {
            this.answered++;
            if (answerCorrect) {
                correct++;
            }
        }
    }

    /** Adds {@code other}'s counts to these and returns {@code this}. */
    public TrialCounts merge(TrialCounts other) {
        if (other.firstMiss.length != firstMiss.length) {
            throw new IllegalArgumentException("cannot merge counts with " + (other.firstMiss.length - 1)
                + " stages into counts with " + (firstMiss.length - 1) + " stages");
        }
        trials = Math.addExact(trials, other.trials);
        events = Math.addExact(events, other.events);
        answered = Math.addExact(answered, other.answered);
        correct = Math.addExact(correct, other.correct);
        for (int t = 1; t < firstMiss.length; t++) {
            firstMiss[t] = Math.addExact(firstMiss[t], other.firstMiss[t]);
        }
        return this;
    }

    public int stages() {
        return firstMiss.length - 1;
    }

    public long trials() {
        return trials;
    }

    public long events() {
        return events;
    }

    /** Returns how many trials followed the query to its answer. */
    public long answered() {
        return answered;
    }

    /** Returns how many answered trials answered {@code f^k(x0)}. */
    public long correct() {
        return correct;
    }

    /** Returns how many answered trials answered wrongly. */
    public long wrong() {
        return answered - correct;
    }

    /** Returns how many trials first missed at stage {@code t}, for {@code t} in {@code [1, T]}. */
    public long firstMissAt(int t) {
        if (t < 1 || t >= firstMiss.length) {
            throw new IllegalArgumentException("stage must be in [1, " + stages() + "], got " + t);
        }
        return firstMiss[t];
    }

    /** Returns a copy of the first-miss histogram; index 0 counts the trials with no miss. */
    public long[] firstMissHistogram() {
        long[] copy = firstMiss.clone();
        copy[0] = events;
        return copy;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof TrialCounts)) {
            return false;
        }
        TrialCounts that = (TrialCounts) o;
        return trials == that.trials && events == that.events && answered == that.answered && correct == that.correct
            && Arrays.equals(firstMiss, that.firstMiss);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(trials) * 31 + Long.hashCode(events) * 17 + Long.hashCode(answered) * 7 + Long.hashCode(correct)
            + Arrays.hashCode(firstMiss);
    }

    @Override
    public String toString() {
        return "TrialCounts{trials=" + trials + ", events=" + events + ", answered=" + answered + ", correct=" + correct
            + ", firstMiss=" + Arrays.toString(firstMissHistogram()) + "}";
    }
}
