package dev.kvcache.engine.depth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.engine.depth.DepthBounds.Term;
import dev.kvcache.engine.depth.DepthBounds.UpperTerm;
import org.junit.jupiter.api.Test;

/** Every expected value below is worked out by hand from the formulas in the class comment. */
class DepthBoundsTest {

    @Test
    void termsTieAtFourWindowsOfFourLayers() {
        // n = 2^16, k = 64, s = 16, H m p = 1*2*2 = 4: ceil(64/16) = 4 and 16/4 = 4.
        DepthBounds b = new DepthBounds(1 << 16, 64, 16, 1, 2, 2);
        assertEquals(4, b.cacheWindows());
        assertEquals(4.0, b.bandwidthTerm());
        assertEquals(4, b.readLayers());
        assertEquals(4.0, b.lower());
        assertEquals(Term.EQUAL, b.lowerTerm());
        assertEquals(16.0, b.product());
        assertEquals(Term.EQUAL, b.productTerm());
        // min(64, 4 * log2 16 = 16) * 16 / (2 * 2) = 64.
        assertEquals(64.0, b.upper());
        assertEquals(UpperTerm.WINDOWS, b.upperTerm());
        assertFalse(b.bandwidthBarrier());
        assertTrue(b.theoremRegime());
    }

    @Test
    void cacheTermDominates() {
        // n = 2^12, k = 10, s = 4, H m p = 2*3*1 = 6: ceil(10/4) = 3, 12/6 = 2.
        DepthBounds b = new DepthBounds(1 << 12, 10, 4, 2, 3, 1);
        assertEquals(3.0, b.lower());
        assertEquals(Term.CACHE, b.lowerTerm());
        assertEquals(2, b.readLayers());
        assertEquals(6.0, b.product());
        assertEquals(Term.CACHE, b.productTerm());
        // min(10, 3 * 2) * 12 / 3 = 24.
        assertEquals(24.0, b.upper());
        assertEquals(UpperTerm.WINDOWS, b.upperTerm());
    }

    @Test
    void bandwidthTermDominatesForOtherN() {
        // n = 1000: log2 n = 9.965784284662087; k = 3, s = 2, H = m = p = 1.
        DepthBounds b = new DepthBounds(1000, 3, 2, 1, 1, 1);
        double log2n = Math.log(1000) / Math.log(2);
        assertEquals(log2n, b.lower(), 1e-12);
        assertEquals(Term.BANDWIDTH, b.lowerTerm());
        assertEquals(10, b.readLayers());
        assertEquals(20.0, b.product());
        assertEquals(Term.BANDWIDTH, b.productTerm());
        // min(3, ceil(3/2) * log2 2 = 2) * log2 n / 1.
        assertEquals(2 * log2n, b.upper(), 1e-12);
    }

    @Test
    void barrierOnceHmpReachesLog2N() {
        // n = 2^20, k = 1024, s = 64, H m p = 4*8*1 = 32 >= 20: one layer per read.
        DepthBounds b = new DepthBounds(1 << 20, 1024, 64, 4, 8, 1);
        assertTrue(b.bandwidthBarrier());
        assertEquals(1, b.readLayers());
        assertEquals(16.0, b.lower());
        assertEquals(16.0, b.product());
        // min(1024, 16 * 6 = 96) * 20 / 8 = 240.
        assertEquals(240.0, b.upper());
        assertTrue(new DepthBounds(1 << 20, 1024, 64, 1, 20, 1).bandwidthBarrier());
        assertFalse(new DepthBounds(1 << 20, 1024, 64, 1, 19, 1).bandwidthBarrier());
    }

    @Test
    void hopsBindTheUpperBoundForShortChases() {
        // n = 2^16, s = 16: k = 3 gives min(3, 1 * 4) = 3 hops; k = 4 ties with 4.
        DepthBounds three = new DepthBounds(1 << 16, 3, 16, 1, 1, 1);
        assertEquals(UpperTerm.HOPS, three.upperTerm());
        assertEquals(48.0, three.upper());
        assertEquals(UpperTerm.EQUAL, new DepthBounds(1 << 16, 4, 16, 1, 1, 1).upperTerm());
    }

    @Test
    void theoremRegimeNeedsBothPreconditions() {
        // s <= sqrt(n)/4: for n = 2^12 that is s <= 16.
        assertTrue(new DepthBounds(1 << 12, 16, 16, 1, 1, 1).theoremRegime());
        assertFalse(new DepthBounds(1 << 12, 16, 17, 1, 1, 1).theoremRegime());
        // n >= 4k: k = 1024 is the largest for n = 2^12.
        assertTrue(new DepthBounds(1 << 12, 1024, 4, 1, 1, 1).theoremRegime());
        assertFalse(new DepthBounds(1 << 12, 1025, 4, 1, 1, 1).theoremRegime());
    }

    @Test
    void rejectsACacheOfOne() {
        assertThrows(IllegalArgumentException.class, () -> new DepthBounds(1 << 12, 16, 1, 1, 1, 1));
    }

    @Test
    void rejectsAZeroHead() {
        assertThrows(IllegalArgumentException.class, () -> new DepthBounds(1 << 12, 16, 4, 0, 1, 1));
    }
}
