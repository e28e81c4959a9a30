package dev.kvcache.engine.dense;

import dev.kvcache.engine.controller.ControllerClass;
import dev.kvcache.engine.controller.ControllerRegistry;
import dev.kvcache.engine.controller.ControllerSettings;
import dev.kvcache.engine.controller.InitialCache;
import java.util.ArrayList;
import java.util.List;

/** The controller configurations the engine tests of this package run. */
final class ControllerVariants {
    /** The StreamingLLM default number of sinks. */
    static final int DEFAULT_SINKS = 4;

    private ControllerVariants() {
    }

    /** One controller configuration: the registry name, the initial cache of adaptive rules and the sinks. */
    record Variant(String controller, InitialCache initial, int sinks) {
        boolean adaptive() {
            return ControllerRegistry.entry(controller).controllerClass() == ControllerClass.ADAPTIVE;
        }

        ControllerSettings settings() {
            return new ControllerSettings(sinks, initial);
        }

        @Override
        public String toString() {
            return controller + (adaptive() ? "/" + initial.configName() : "") + " sinks=" + sinks;
        }
    }

    /**
     * Returns every registered controller with the default sinks, the adaptive ones once with a
     * random and once with a window initial cache.
     */
    static List<Variant> all() {
        List<Variant> variants = new ArrayList<>();
        for (String name : List.of("random-fresh", "random-fixed", "window", "strided", "query-aware")) {
            variants.add(new Variant(name, InitialCache.RANDOM, DEFAULT_SINKS));
        }
        for (String name : adaptiveNames()) {
            variants.add(new Variant(name, InitialCache.RANDOM, DEFAULT_SINKS));
            variants.add(new Variant(name, InitialCache.WINDOW, DEFAULT_SINKS));
        }
        return variants;
    }

    /** Returns the registered adaptive controllers this package tests. */
    static List<String> adaptiveNames() {
        return List.of("follow", "heavy-hitter", "tova");
    }
}
