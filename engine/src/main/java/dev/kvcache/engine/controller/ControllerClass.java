package dev.kvcache.engine.controller;

/** The class of a cache controller, which decides what the theory asserts about it. */
public enum ControllerClass {
    /** The cache sequence is fixed before the input is seen; "How Much Cache Does Reasoning Need?" bounds its {@code P(E)}. */
    OBLIVIOUS("oblivious"),
    /** Admits only positions the trace referenced; "How Much Cache Does Reasoning Need?" gives {@code P(E) = s/n}. */
    ADAPTIVE("adaptive"),
    /** Sees the query itself, outside the theorem's class; shown only as a contrast. */
    OUTSIDE("outside-class");

    private final String label;

    ControllerClass(String label) {
        this.label = label;
    }

    /** Returns the label used in output columns. */
    public String label() {
        return label;
    }
}
