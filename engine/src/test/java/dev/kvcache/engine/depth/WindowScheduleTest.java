package dev.kvcache.engine.depth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Expected windows and reads are worked out by hand from the schedule's definition. */
class WindowScheduleTest {

    @Test
    void fullWindowsThenRemainderDigits() {
        // k = 10, w = 4: two windows of 4 hops (2 rounds + 1 read each), then 2 = 2^1 (1 round + 1 read).
        WindowSchedule schedule = new WindowSchedule(10, 4);
        assertEquals(List.of(4L, 4L, 2L), schedule.lengths());
        assertEquals(8, schedule.reads());
        assertEquals(24, schedule.layers(3));
    }

    @Test
    void hopByHopReadsOncePerHop() {
        WindowSchedule schedule = new WindowSchedule(10, 1);
        assertEquals(Collections.nCopies(10, 1L), schedule.lengths());
        assertEquals(10, schedule.reads());
    }

    @Test
    void windowLongerThanTheChaseUsesItsDigits() {
        // k = 7 = 4 + 2 + 1: 3 + 2 + 1 reads.
        WindowSchedule schedule = new WindowSchedule(7, 8);
        assertEquals(List.of(4L, 2L, 1L), schedule.lengths());
        assertEquals(6, schedule.reads());
    }

    @Test
    void oneWindowOfSixteen() {
        assertEquals(5, new WindowSchedule(16, 16).reads());
    }

    @Test
    void readsMatchTheLengths() {
        for (long k = 1; k <= 300; k++) {
            for (long w = 1; w <= 512; w <<= 1) {
                WindowSchedule schedule = new WindowSchedule(k, w);
                long hops = schedule.lengths().stream().mapToLong(Long::longValue).sum();
                long reads = schedule.lengths().stream().mapToLong(l -> Long.numberOfTrailingZeros(l) + 1L).sum();
                assertEquals(k, hops, "hops of k = " + k + ", w = " + w);
                assertEquals(reads, schedule.reads(), "reads of k = " + k + ", w = " + w);
            }
        }
    }

    @Test
    void candidatesEndWithAControlAboveTheCache() {
        // k = 100 reaches windows up to 64; s = 16 allows 1..16, and 32 is the control.
        assertEquals(List.of(1L, 2L, 4L, 8L, 16L, 32L), WindowSchedule.candidates(100, 16));
        // s = 24 allows up to 16 as well.
        assertEquals(List.of(1L, 2L, 4L, 8L, 16L, 32L), WindowSchedule.candidates(64, 24));
    }

    @Test
    void noControlForShortChases() {
        // k = 10 reaches 8 < s = 16: a window of 16 is the same schedule as 8.
        assertEquals(List.of(1L, 2L, 4L, 8L), WindowSchedule.candidates(10, 16));
        assertEquals(List.of(1L, 2L), WindowSchedule.candidates(2, 2));
    }

    @Test
    void rejectsAWindowOfThree() {
        assertThrows(IllegalArgumentException.class, () -> new WindowSchedule(10, 3));
    }
}
