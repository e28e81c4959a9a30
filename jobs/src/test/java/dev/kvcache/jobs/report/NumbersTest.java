package dev.kvcache.jobs.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Tests the report's number formats; the expected strings are written out by hand. */
class NumbersTest {

    @Test
    void estimatesTakeTheDigitsTheirIntervalSupports() {
        assertEquals("0.00399 [0.00372, 0.00428]", Numbers.withInterval(0.00399, 0.00372, 0.00428));
        assertEquals("5.970e-08 [5.920e-08, 6.020e-08]", Numbers.withInterval(5.97e-8, 5.92e-8, 6.02e-8));
        assertEquals("1.0 [0.85, 1.3]", Numbers.withInterval(1.0, 0.85, 1.3));
        assertEquals("69000 [62000, 77000]", Numbers.withInterval(69000, 62000, 77000));
        assertEquals("0 [0, 1.50e-05]", Numbers.withInterval(0, 0, 1.5e-5));
    }

    @Test
    void exactValuesKeepFourDigits() {
        assertEquals("2^16", Numbers.exact(65536));
        assertEquals("2^24", Numbers.exact(16777216));
        assertEquals("3843", Numbers.exact(3842.8));
        assertEquals("1.1e+12", Numbers.exact(1.0995e12));
        assertEquals("5.96e-08", Numbers.exact(5.96e-8));
        assertEquals("1", Numbers.exact(1));
        assertEquals("256", Numbers.exact(256));
    }

    @Test
    void intervalsShareOneNotation() {
        assertEquals("9.8e+05 [8.5e+05, 1.1e+06]", Numbers.withInterval(980000, 850000, 1.1e6));
    }

    @Test
    void missingAndInfiniteValues() {
        assertEquals("-", Numbers.value(Double.NaN));
        assertEquals("inf", Numbers.value(Double.POSITIVE_INFINITY));
        assertEquals("-", Numbers.percent(Double.NaN));
        assertEquals("9.6%", Numbers.percent(0.0962));
    }
}
