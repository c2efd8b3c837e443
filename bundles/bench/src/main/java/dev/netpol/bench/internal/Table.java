package dev.netpol.bench.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Rows of named values (one measurement, or one summarised point), written as CSV and as JSON with
 * the same columns. Row order is insertion order; columns are the union of every row's keys.
 */
public final class Table {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private final String name;
  private final List<Map<String, Object>> rows = new ArrayList<>();

  public Table(String name) {
    this.name = name;
  }

  public String name() {
    return name;
  }

  /** Adds a row from alternating keys and values. */
  public synchronized Map<String, Object> add(Object... kv) {
    if (kv.length % 2 != 0) {
      throw new IllegalArgumentException("keys and values must alternate");
    }
    Map<String, Object> row = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      row.put((String) kv[i], kv[i + 1]);
    }
    rows.add(row);
    return row;
  }

  public synchronized Map<String, Object> add(Map<String, Object> row) {
    Map<String, Object> copy = new LinkedHashMap<>(row);
    rows.add(copy);
    return copy;
  }

  public synchronized List<Map<String, Object>> rows() {
    return List.copyOf(rows);
  }

  public synchronized List<Map<String, Object>> rows(Predicate<Map<String, Object>> filter) {
    return rows.stream().filter(filter).toList();
  }

  public synchronized boolean isEmpty() {
    return rows.isEmpty();
  }

  /** Writes {@code DIR/<name>.csv} and {@code DIR/<name>.json}. */
  public synchronized void write(Path dir) throws IOException {
    Files.createDirectories(dir);
    Set<String> cols = new LinkedHashSet<>();
    rows.forEach(r -> cols.addAll(r.keySet()));
    StringBuilder csv = new StringBuilder(String.join(",", cols)).append('\n');
    for (Map<String, Object> r : rows) {
      List<String> cells = new ArrayList<>();
      for (String c : cols) {
        cells.add(csvCell(r.get(c)));
      }
      csv.append(String.join(",", cells)).append('\n');
    }
    Files.writeString(dir.resolve(name + ".csv"), csv);
    JSON.writeValue(dir.resolve(name + ".json").toFile(), rows);
  }

  static String csvCell(Object v) {
    if (v == null) {
      return "";
    }
    String s;
    if (v instanceof Double d) {
      s = Double.isNaN(d) ? "" : String.format(Locale.ROOT, "%.6g", d);
    } else {
      s = v.toString();
    }
    if (s.contains(",") || s.contains("\"") || s.contains("\n")) {
      return '"' + s.replace("\"", "\"\"") + '"';
    }
    return s;
  }
}
