package dev.kvcache.engine.controller;

import dev.kvcache.engine.cache.SetFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The catalogue of controllers by configuration name. Adding a controller is one class and one
 * {@link #register} line; an unknown name fails with the list of known names.
 */
public final class ControllerRegistry {

    /** Creates a controller for one engine and one random stream. */
    @FunctionalInterface
    public interface Factory {
        Controller create(long s, ControllerSettings settings, SetFactory sets);
    }

    /**
     * One catalogue entry.
     *
     * @param name the configuration name
     * @param controllerClass oblivious, adaptive, or outside the theorem's class
     * @param exact which closed form gives its exact {@code P(E)}
     * @param description one line for help text and reports
     * @param factory creates instances
     */
    public record Entry(String name, ControllerClass controllerClass, ExactRule exact, String description,
                        Factory factory) {
    }

    private static final Map<String, Entry> ENTRIES = new LinkedHashMap<>();

    static {
        register(new Entry(RandomFresh.NAME, ControllerClass.OBLIVIOUS, ExactRule.FRESH_PER_STAGE,
            "an independent uniform s-subset per stage",
            (s, settings, sets) -> new RandomFresh(s, sets)));
        register(new Entry(RandomFixed.NAME, ControllerClass.OBLIVIOUS, ExactRule.FIXED_SET,
            "one uniform s-subset for all stages",
            (s, settings, sets) -> new RandomFixed(s, sets)));
        register(new Entry(Window.NAME, ControllerClass.OBLIVIOUS, ExactRule.FIXED_SET,
            "StreamingLLM: attention sinks plus the last positions, all stages",
            (s, settings, sets) -> new Window(s, settings.sinks(), sets)));
        register(new Entry(Strided.NAME, ControllerClass.OBLIVIOUS, ExactRule.FIXED_SET,
            "every floor(n/s)-th position from a random offset, all stages",
            (s, settings, sets) -> new Strided(s, sets)));
        register(new Entry(Follow.NAME, ControllerClass.ADAPTIVE, ExactRule.ADAPTIVE,
            "admit the position named by the value read, evict the least recently used",
            (s, settings, sets) -> new Follow(s, settings, sets)));
        register(new Entry(HeavyHitter.NAME, ControllerClass.ADAPTIVE, ExactRule.ADAPTIVE,
            "H2O: admit the named position, evict the lowest accumulated attention (ties: oldest)",
            (s, settings, sets) -> new HeavyHitter(s, settings, sets)));
        register(new Entry(Tova.NAME, ControllerClass.ADAPTIVE, ExactRule.ADAPTIVE,
            "TOVA: admit the named position, evict the lowest attention of the current stage",
            (s, settings, sets) -> new Tova(s, settings, sets)));
        register(new Entry(QueryAware.NAME, ControllerClass.OUTSIDE, ExactRule.CERTAIN,
            "outside the theorem's class: Quest-like retrieval of the s positions nearest the query",
            (s, settings, sets) -> new QueryAware(s, sets)));
    }

    private ControllerRegistry() {
    }

    /**
     * Adds an entry.
     *
     * @throws IllegalArgumentException if an entry of that name exists
     */
    public static synchronized void register(Entry entry) {
        if (ENTRIES.containsKey(entry.name())) {
            throw new IllegalArgumentException("a controller named '" + entry.name() + "' is already registered");
        }
        ENTRIES.put(entry.name(), entry);
    }

    /** Removes an entry; for tests that register controllers of their own. */
    public static synchronized void unregister(String name) {
        ENTRIES.remove(name);
    }

    /**
     * Returns the entry named {@code name}.
     *
     * @throws IllegalArgumentException if there is none; the message lists the known names
     */
    public static synchronized Entry entry(String name) {
        Entry entry = ENTRIES.get(name);
        if (entry == null) {
            throw new IllegalArgumentException("unknown controller '" + name + "'; known controllers: "
                + String.join(", ", ENTRIES.keySet()));
        }
        return entry;
    }

    /** Returns whether a controller of that name is registered. */
    public static synchronized boolean contains(String name) {
        return ENTRIES.containsKey(name);
    }

    /** Returns the registered names in registration order. */
    public static synchronized List<String> names() {
        return new ArrayList<>(ENTRIES.keySet());
    }

    /** Creates the controller named {@code name}. */
    public static Controller create(String name, long s, ControllerSettings settings, SetFactory sets) {
        Entry entry = entry(name);
        Controller controller = entry.factory().create(s, settings, sets);
        boolean adaptiveType = controller instanceof AdaptiveController;
        boolean consistent = (entry.controllerClass() == ControllerClass.ADAPTIVE) == adaptiveType
            && (entry.controllerClass() != ControllerClass.OBLIVIOUS || controller instanceof ObliviousController);
        if (!consistent) {
            throw new IllegalStateException("controller '" + name + "' is registered as "
                + entry.controllerClass().label() + " but its type is " + controller.getClass().getName());
        }
        return controller;
    }
}
