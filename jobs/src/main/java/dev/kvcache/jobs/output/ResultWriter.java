package dev.kvcache.jobs.output;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kvcache.jobs.verdict.CellReport;
import dev.kvcache.jobs.verdict.Separation;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Writes a run's results into its folder: {@code cells.csv}, {@code cells.parquet},
 * {@code config.conf} (the resolved configuration) and, last, {@code summary.json}, whose presence
 * marks a finished run. JSON is strict: a number that does not exist is {@code null}.
 */
public final class ResultWriter {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ResultWriter() {
    }

    /** Writes the resolved configuration. */
    public static void writeConfig(RunFolder folder, String resolved) throws IOException {
        try (FSDataOutputStream out = folder.fileSystem().create(folder.file("config.conf"), false)) {
            out.write(resolved.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Writes {@code cells.csv}; empty numbers stand for values that do not exist. */
    public static void writeCsv(RunFolder folder, List<CellReport> reports) throws IOException {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (CellReport report : reports) {
            rows.add(CellColumns.of(report));
        }
        writeTable(folder, "cells.csv", rows);
    }

    /** Writes {@code separation.csv}, one row per adaptive and oblivious pair; nothing when there is none. */
    public static void writeSeparationCsv(RunFolder folder, List<Separation> separation) throws IOException {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Separation row : separation) {
            rows.add(row.columns());
        }
        writeTable(folder, "separation.csv", rows);
    }

    /**
     * Writes a CSV table of rows that share their columns (the first row's keys, in order); nothing
     * when there is no row. Empty fields stand for values that do not exist.
     */
    public static void writeTable(RunFolder folder, String name, List<Map<String, Object>> rows) throws IOException {
        if (rows.isEmpty()) {
            return;
        }
        List<String> header = new ArrayList<>(rows.get(0).keySet());
        try (FSDataOutputStream out = folder.fileSystem().create(folder.file(name), false);
             Writer writer = new OutputStreamWriter(out, StandardCharsets.UTF_8);
             CSVPrinter printer = new CSVPrinter(writer, CSVFormat.RFC4180.builder()
                 .setHeader(header.toArray(new String[0])).setRecordSeparator('\n').get())) {
            for (Map<String, Object> row : rows) {
                List<String> record = new ArrayList<>();
                for (Object value : row.values()) {
                    record.add(csvText(value));
                }
                printer.printRecord(record);
            }
        }
    }

    private static String csvText(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof Double) {
            double x = (Double) value;
            if (Double.isInfinite(x)) {
                return x > 0 ? "inf" : "-inf";
            }
            return Double.isNaN(x) ? "" : Double.toString(x);
        }
        if (value instanceof long[]) {
            long[] values = (long[]) value;
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < values.length; i++) {
                text.append(i == 0 ? "" : ";").append(values[i]);
            }
            return text.toString();
        }
        return value.toString();
    }

    /** Writes {@code cells.parquet} (one file, through Spark). */
    public static void writeParquet(SparkSession spark, RunFolder folder, List<CellReport> reports) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (CellReport report : reports) {
            rows.add(CellColumns.of(report));
        }
        writeParquet(spark, folder, "cells.parquet", rows);
    }

    /**
     * Writes rows that share their columns as one Parquet file through Spark; nothing when there is
     * no row. A column's type is that of its first value that is not null (text when all are).
     */
    public static void writeParquet(SparkSession spark, RunFolder folder, String name, List<Map<String, Object>> table) {
        if (table.isEmpty()) {
            return;
        }
        List<StructField> fields = new ArrayList<>();
        for (String column : table.get(0).keySet()) {
            Object example = table.stream().map(row -> row.get(column)).filter(java.util.Objects::nonNull)
                .findFirst().orElse(null);
            fields.add(DataTypes.createStructField(column, sparkType(example), true));
        }
        StructType schema = DataTypes.createStructType(fields);
        List<Row> rows = new ArrayList<>();
        for (Map<String, Object> row : table) {
            List<Object> values = new ArrayList<>();
            for (Object value : row.values()) {
                values.add(sparkValue(value));
            }
            rows.add(RowFactory.create(values.toArray()));
        }
        spark.createDataFrame(rows, schema).coalesce(1).write().mode(SaveMode.ErrorIfExists)
            .parquet(folder.file(name).toString());
    }

    private static DataType sparkType(Object value) {
        if (value instanceof Long) {
            return DataTypes.LongType;
        }
        if (value instanceof Double) {
            return DataTypes.DoubleType;
        }
        if (value instanceof Boolean) {
            return DataTypes.BooleanType;
        }
        if (value instanceof long[]) {
            return DataTypes.createArrayType(DataTypes.LongType, false);
        }
        return DataTypes.StringType;
    }

    private static Object sparkValue(Object value) {
        if (value instanceof Double && !Double.isFinite((Double) value)) {
            return null;
        }
        if (value instanceof long[]) {
            long[] values = (long[]) value;
            List<Long> list = new ArrayList<>(values.length);
            for (long v : values) {
                list.add(v);
            }
            return scala.jdk.javaapi.CollectionConverters.asScala(list).toSeq();
        }
        return value;
    }

    /** Writes a file of the run folder, such as a report file; {@code relative} may name a subfolder. */
    public static void writeFile(RunFolder folder, String relative, byte[] bytes) throws IOException {
        try (FSDataOutputStream out = folder.fileSystem().create(folder.file(relative), false)) {
            out.write(bytes);
        }
    }

    /** Writes {@code summary.json}. */
    public static void writeSummary(RunFolder folder, ObjectNode summary) throws IOException {
        byte[] json = MAPPER.writeValueAsBytes(summary);
        byte[] bytes = java.util.Arrays.copyOf(json, json.length + 1);
        bytes[json.length] = '\n';
        writeAtomically(folder, "summary.json", bytes);
    }

    /**
     * Writes a file of the run folder under a temporary name and renames it into place, so a reader
     * sees either no file or the whole file, also when the writer is killed.
     */
    public static void writeAtomically(RunFolder folder, String name, byte[] bytes) throws IOException {
        Path target = folder.file(name);
        Path temporary = folder.file("." + name + ".tmp");
        try (FSDataOutputStream out = folder.fileSystem().create(temporary, true)) {
            out.write(bytes);
        }
        if (folder.fileSystem().exists(target)) {
            folder.fileSystem().delete(target, false);
        }
        if (!folder.fileSystem().rename(temporary, target)) {
            throw new IOException("cannot rename " + temporary + " to " + target);
        }
    }

    /** Returns the summary document: run fields first, then one object per cell. */
    public static ObjectNode summary(String runId, String status, double seconds, List<CellReport> reports,
                                     List<String> skipped, ObjectNode run) {
        return summary(runId, status, seconds, reports, List.of(), skipped, run);
    }

    /**
     * Returns the summary document: run fields first, then one object per cell, then one per
     * separation pair. Numbers that do not exist are {@code null}; an unbounded interval end is
     * {@code null} too, with the reason in the CSV ({@code inf}).
     */
    public static ObjectNode summary(String runId, String status, double seconds, List<CellReport> reports,
                                     List<Separation> separation, List<String> skipped, ObjectNode run) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("run_id", runId);
        root.put("status", status);
        Json.putNumber(root, "seconds", seconds);
        root.put("trials_total", reports.stream().mapToLong(r -> r.counts().trials()).sum());
        root.put("cells_total", reports.size());
        root.put("cells_splitting", reports.stream().filter(r -> r.cell().splitting()).count());
        root.put("replicates_total", reports.stream().mapToLong(r -> r.cell().replicates()).sum());
        root.put("cells_failed", reports.stream().filter(r -> !r.passed()).count());
        root.setAll(run);
        ArrayNode skippedNode = root.putArray("skipped");
        skipped.forEach(skippedNode::add);
        ArrayNode cells = root.putArray("cells");
        for (CellReport report : reports) {
            ObjectNode cell = cells.addObject();
            for (Map.Entry<String, Object> column : CellColumns.of(report).entrySet()) {
                putValue(cell, column.getKey(), column.getValue());
            }
        }
        ArrayNode pairs = root.putArray("separation");
        for (Separation row : separation) {
            ObjectNode pair = pairs.addObject();
            for (Map.Entry<String, Object> column : row.columns().entrySet()) {
                putValue(pair, column.getKey(), column.getValue());
            }
        }
        return root;
    }

    /** Adds every column of {@code row} to {@code node}: numbers, booleans, text, or null. */
    public static void putRow(ObjectNode node, Map<String, Object> row) {
        for (Map.Entry<String, Object> column : row.entrySet()) {
            putValue(node, column.getKey(), column.getValue());
        }
    }

    private static void putValue(ObjectNode node, String field, Object value) {
        if (value == null) {
            node.putNull(field);
        } else if (value instanceof Long) {
            node.put(field, (Long) value);
        } else if (value instanceof Double) {
            Json.putNumber(node, field, (Double) value);
        } else if (value instanceof Boolean) {
            node.put(field, (Boolean) value);
        } else if (value instanceof long[]) {
            ArrayNode array = node.putArray(field);
            for (long v : (long[]) value) {
                array.add(v);
            }
        } else {
            node.put(field, value.toString());
        }
    }

    /** Returns a new empty JSON object for run-level fields. */
    public static ObjectNode newObject() {
        return MAPPER.createObjectNode();
    }
}
