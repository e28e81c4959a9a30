package dev.kvcache.jobs.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.kvcache.engine.task.PointerLaw;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Typed reads of configuration values, each failing with the key, the value and the rule. */
final class ConfigValues {
    private static final Pattern POWER = Pattern.compile("\\s*(\\d+)\\s*\\^\\s*(\\d+)\\s*");
    private static final Pattern DIGITS = Pattern.compile("\\s*[+-]?\\d+\\s*");

    private ConfigValues() {
    }

    /** Reads an integer in {@code [min, max]}; accepts numbers, digit strings and powers like "2^20". */
    static long integer(Config config, String key, long min, long max) {
        return toInteger(key, value(config, key), min, max);
    }

    /** Reads a non-empty list of integers in {@code [min, max]}; a single value counts as a list of one. */
    static List<Long> integerList(Config config, String key, long min, long max) {
        ConfigValue value = value(config, key);
        List<Long> result = new ArrayList<>();
        if (value.valueType() == ConfigValueType.LIST) {
            for (ConfigValue element : config.getList(key)) {
                result.add(toInteger(key, element, min, max));
            }
        } else {
            result.add(toInteger(key, value, min, max));
        }
        if (result.isEmpty()) {
            throw InvalidConfigException.of(key, "[]", "the list must name at least one value");
        }
        requireDistinct(key, result);
        return result;
    }

    /** Reads a non-empty list of strings; a single string counts as a list of one. */
    static List<String> stringList(Config config, String key) {
        ConfigValue value = value(config, key);
        List<String> result = new ArrayList<>();
        if (value.valueType() == ConfigValueType.LIST) {
            for (ConfigValue element : config.getList(key)) {
                result.add(toText(key, element));
            }
        } else {
            result.add(toText(key, value));
        }
        if (result.isEmpty()) {
            throw InvalidConfigException.of(key, "[]", "the list must name at least one value");
        }
        requireDistinct(key, result);
        return result;
    }

    /** Reads a string. */
    static String string(Config config, String key) {
        return toText(key, value(config, key));
    }

    /**
     * Reads a finite number in the open or closed range given; NaN and infinities always fail.
     */
    static double number(Config config, String key, double min, boolean minOpen, double max, boolean maxOpen) {
        ConfigValue value = value(config, key);
        Object raw = value.unwrapped();
        double x;
        if (raw instanceof Number) {
            x = ((Number) raw).doubleValue();
        } else if (raw instanceof String) {
            try {
                x = Double.parseDouble(((String) raw).trim());
            } catch (NumberFormatException e) {
                throw InvalidConfigException.of(key, raw, "expected a number");
            }
        } else {
            throw InvalidConfigException.of(key, value.render(ConfigRenderOptions.concise()), "expected a number");
        }
        boolean aboveMin = minOpen ? x > min : x >= min;
        boolean belowMax = maxOpen ? x < max : x <= max;
        if (!(aboveMin && belowMax)) {
            throw InvalidConfigException.of(key, raw, "the value must be in " + (minOpen ? "(" : "[") + min + ", " + max
                + (maxOpen ? ")" : "]"));
        }
        return x;
    }

    private static ConfigValue value(Config config, String key) {
        try {
            if (!config.hasPathOrNull(key) || config.getIsNull(key)) {
                throw new InvalidConfigException("missing value for '" + key + "'; set it in the configuration file"
                    + " or with --set " + key + "=VALUE");
            }
            return config.getValue(key);
        } catch (ConfigException e) {
            throw new InvalidConfigException("invalid key '" + key + "': " + e.getMessage(), e);
        }
    }

    private static String toText(String key, ConfigValue value) {
        if (value.valueType() != ConfigValueType.STRING) {
            throw InvalidConfigException.of(key, value.render(ConfigRenderOptions.concise()), "expected a name (a string)");
        }
        return (String) value.unwrapped();
    }

    static long toInteger(String key, ConfigValue value, long min, long max) {
        Object raw = value.unwrapped();
        BigInteger parsed;
        if (raw instanceof Integer || raw instanceof Long) {
            parsed = BigInteger.valueOf(((Number) raw).longValue());
        } else if (raw instanceof Double) {
            double x = (Double) raw;
            if (!Double.isFinite(x) || x != Math.rint(x)) {
                throw InvalidConfigException.of(key, raw, "expected a whole number");
            }
            parsed = new BigDecimal(x).toBigInteger();
        } else if (raw instanceof String) {
            parsed = parseIntegerText(key, (String) raw);
        } else {
            throw InvalidConfigException.of(key, value.render(ConfigRenderOptions.concise()), "expected a whole number such as 4096 or \"2^12\"");
        }
        if (parsed.compareTo(BigInteger.valueOf(min)) < 0 || parsed.compareTo(BigInteger.valueOf(max)) > 0) {
            throw InvalidConfigException.of(key, raw, "the value must be in [" + describe(min) + ", " + describe(max) + "]");
        }
        return parsed.longValueExact();
    }

    private static BigInteger parseIntegerText(String key, String text) {
        Matcher power = POWER.matcher(text);
        if (power.matches()) {
            BigInteger base = new BigInteger(power.group(1));
            int exponent;
            try {
                exponent = Integer.parseInt(power.group(2));
            } catch (NumberFormatException e) {
                throw InvalidConfigException.of(key, text, "the exponent is too large");
            }
            if (exponent > 4096) {
                throw InvalidConfigException.of(key, text, "the exponent is too large");
            }
            return base.pow(exponent);
        }
        if (DIGITS.matcher(text).matches()) {
            return new BigInteger(text.trim());
        }
        throw InvalidConfigException.of(key, text, "expected a whole number such as 4096 or \"2^12\"");
    }

    private static String describe(long bound) {
        if (bound > 0 && Long.bitCount(bound) == 1 && bound >= 1024) {
            return "2^" + Long.numberOfTrailingZeros(bound);
        }
        return Long.toString(bound);
    }

    private static <T> void requireDistinct(String key, List<T> values) {
        for (int i = 0; i < values.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (values.get(i).equals(values.get(j))) {
                    throw InvalidConfigException.of(key, values.toString(), "each value may appear only once ("
                        + values.get(i) + " is repeated)");
                }
            }
        }
    }

    /** Reads a non-empty list of pointer laws by their configuration names. */
    static List<PointerLaw> laws(Config config, String key) {
        List<PointerLaw> laws = new ArrayList<>();
        for (String name : stringList(config, key)) {
            try {
                laws.add(PointerLaw.fromConfigName(name));
            } catch (IllegalArgumentException e) {
                throw InvalidConfigException.of(key, name, "unknown pointer law; known laws: " + PointerLaw.knownNames());
            }
        }
        return laws;
    }
}
