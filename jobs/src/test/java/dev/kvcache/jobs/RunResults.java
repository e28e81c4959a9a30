package dev.kvcache.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/** Reads the files of one run folder, for the tests that run the job end to end. */
public final class RunResults {
    /** The counts that must not depend on partitioning: per cell, these summary fields. */
    public static final List<String> COUNT_FIELDS = List.of("trials", "events", "answered", "correct", "first_miss");

    private static final ObjectMapper STRICT_JSON = new ObjectMapper();

    private final Path folder;

    private RunResults(Path folder) {
        this.folder = folder;
    }

    /**
     * Returns the only run folder under {@code root}.
     *
     * @throws AssertionError if {@code root} contains no folder or more than one
     */
    public static RunResults single(Path root) throws IOException {
        List<Path> folders = folders(root);
        assertEquals(1, folders.size(), "run folders under " + root + ": " + folders);
        return new RunResults(folders.get(0));
    }

    /** Returns the folders directly under {@code root}, sorted by name. */
    public static List<Path> folders(Path root) throws IOException {
        try (Stream<Path> children = Files.list(root)) {
            return children.filter(Files::isDirectory).sorted().toList();
        }
    }

    public Path folder() {
        return folder;
    }

    public Path file(String name) {
        return folder.resolve(name);
    }

    /** Parses {@code summary.json} with Jackson's default, strict settings (no NaN or Infinity tokens). */
    public JsonNode summary() throws IOException {
        return STRICT_JSON.readTree(Files.readAllBytes(file("summary.json")));
    }

    /** Parses {@code cells.csv}, whose first line is the header. */
    public List<CSVRecord> csvRows() throws IOException {
        return csvRows("cells.csv");
    }

    /** Parses a CSV file of the run folder whose first line is the header. */
    public List<CSVRecord> csvRows(String name) throws IOException {
        try (Reader reader = Files.newBufferedReader(file(name), StandardCharsets.UTF_8);
             CSVParser parser = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get().parse(reader)) {
            return parser.getRecords();
        }
    }

    /** Returns the column names of {@code cells.csv}, in order. */
    public List<String> csvHeader() throws IOException {
        try (Reader reader = Files.newBufferedReader(file("cells.csv"), StandardCharsets.UTF_8);
             CSVParser parser = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get().parse(reader)) {
            return parser.getHeaderNames();
        }
    }

    /**
     * Returns each cell's count fields ({@link #COUNT_FIELDS}) keyed by the cell's grid coordinates,
     * read from {@code summary.json}.
     */
    public Map<String, String> countsByCell() throws IOException {
        Map<String, String> counts = new LinkedHashMap<>();
        for (JsonNode cell : summary().get("cells")) {
            List<String> values = new ArrayList<>();
            for (String field : COUNT_FIELDS) {
                values.add(field + "=" + cell.get(field));
            }
            counts.put(coordinates(cell), String.join(" ", values));
        }
        return counts;
    }

    /** Returns the grid coordinates of a summary cell, for example {@code n=256 s=4 k=4 follow function}. */
    public static String coordinates(JsonNode cell) {
        return "n=" + cell.get("n").asLong() + " s=" + cell.get("s").asLong() + " k=" + cell.get("k").asLong() + " "
            + cell.get("controller").asText() + " " + cell.get("law").asText();
    }

    /** Returns the summary cell with the given controller name, failing when there is not exactly one. */
    public JsonNode onlyCell(String controller) throws IOException {
        List<JsonNode> matches = new ArrayList<>();
        for (JsonNode cell : summary().get("cells")) {
            if (controller.equals(cell.get("controller").asText())) {
                matches.add(cell);
            }
        }
        assertEquals(1, matches.size(), "cells of controller " + controller);
        return matches.get(0);
    }
}
