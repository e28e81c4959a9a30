package dev.kvcache.jobs.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;

/**
 * Number formats of the report, in a fixed locale. Probabilities get three significant digits.
 * An estimate with its interval gets as many digits as the interval's width supports: two digits
 * of the half-width, and between two and six significant digits.
 */
public final class Numbers {
    private Numbers() {
    }

    /** Formats {@code x} with {@code digits} significant digits; "-" when it does not exist, "inf" when infinite. */
    public static String significant(double x, int digits) {
        if (Double.isNaN(x)) {
            return "-";
        }
        if (Double.isInfinite(x)) {
            return x > 0 ? "inf" : "-inf";
        }
        if (x == 0) {
            return "0";
        }
        double magnitude = Math.abs(x);
        if (magnitude >= 1e-3 && magnitude < 1e6) {
            BigDecimal rounded = new BigDecimal(x).round(new MathContext(digits));
            int decimals = digits - 1 - (int) Math.floor(Math.log10(Math.abs(rounded.doubleValue())));
            return decimals > 0 ? String.format(Locale.ROOT, "%." + decimals + "f", rounded.doubleValue())
                : rounded.toPlainString();
        }
        return String.format(Locale.ROOT, "%." + (digits - 1) + "e", x);
    }

    /** Formats a probability, ratio or rate with three significant digits. */
    public static String value(double x) {
        return significant(x, 3);
    }

    /** Returns the significant digits that suit an estimate whose interval is {@code [low, high]}. */
    public static int digitsFor(double estimate, double low, double high) {
        double half = (high - low) / 2;
        if (!(half > 0) || !(Math.abs(estimate) > 0) || !Double.isFinite(half)) {
            return 3;
        }
        int digits = (int) Math.ceil(Math.log10(Math.abs(estimate) / half)) + 1;
        return Math.max(2, Math.min(6, digits));
    }

    /**
     * Formats {@code estimate [low, high]} with the digits the interval supports, all three in
     * exponent notation when any of them needs it.
     */
    public static String withInterval(double estimate, double low, double high) {
        int digits = digitsFor(estimate, low, high);
        boolean exponent = needsExponent(estimate) || needsExponent(low) || needsExponent(high);
        return format(estimate, digits, exponent) + " [" + format(low, digits, exponent) + ", "
            + format(high, digits, exponent) + "]";
    }

    private static boolean needsExponent(double x) {
        double magnitude = Math.abs(x);
        return Double.isFinite(x) && x != 0 && (magnitude < 1e-3 || magnitude >= 1e6);
    }

    private static String format(double x, int digits, boolean exponent) {
        if (exponent && Double.isFinite(x) && x != 0) {
            return String.format(Locale.ROOT, "%." + (digits - 1) + "e", x);
        }
        return significant(x, digits);
    }

    /**
     * Formats a value known exactly (an exact probability or ratio) with up to four significant
     * digits, and an exact power of two of at least {@code 2^10} as {@code 2^e}.
     */
    public static String exact(double x) {
        if (x >= 1024 && x < 0x1p62 && x == Math.rint(x) && Long.bitCount((long) x) == 1) {
            return "2^" + Long.numberOfTrailingZeros((long) x);
        }
        if (Double.isFinite(x) && x != 0 && Math.abs(x) >= 1e-3 && Math.abs(x) < 1e6) {
            return new BigDecimal(x).round(new MathContext(4)).stripTrailingZeros().toPlainString();
        }
        if (Double.isFinite(x) && x != 0) {
            String text = String.format(Locale.ROOT, "%.3e", x);
            return text.replaceAll("\\.?0+e", "e");
        }
        return significant(x, 4);
    }

    /** Formats a fraction as a percentage with one decimal; "-" when it does not exist. */
    public static String percent(double x) {
        return Double.isFinite(x) ? String.format(Locale.ROOT, "%.1f%%", 100 * x) : "-";
    }
}
