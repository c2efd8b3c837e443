package dev.netpol.bench.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Markdown report: a header (when, size, machine, versions), the table of targets against
 * results, then one section per suite with its method, tables and plots.
 */
public final class Report {
  /** One target and what was measured against it. */
  public record Target(String target, String goal, String result, Verdict verdict, String note) {}

  public enum Verdict {
    MET("met"),
    MISSED("**missed**"),
    NOT_MEASURED("not measured");

    final String text;

    Verdict(String text) {
      this.text = text;
    }
  }

  private final List<Target> targets = new ArrayList<>();
  private final List<String> sections = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  public synchronized void target(String target, String goal, String result, Verdict v, String n) {
    targets.add(new Target(target, goal, result, v, n == null ? "" : n));
  }

  public synchronized List<Target> targets() {
    return List.copyOf(targets);
  }

  /** A suite's section, Markdown starting with a {@code ##} heading. */
  public synchronized void section(String markdown) {
    sections.add(markdown.strip() + "\n");
  }

  /** A line for the "conditions" list of the header (failures, skipped parts, load). */
  public synchronized void note(String line) {
    notes.add(line);
  }

  public synchronized void write(Path file, String title, Map<String, String> header)
      throws IOException {
    StringBuilder b = new StringBuilder("# ").append(title).append("\n\n");
    b.append("| | |\n|---|---|\n");
    header.forEach((k, v) -> b.append("| ").append(k).append(" | ").append(md(v)).append(" |\n"));
    b.append('\n');
    if (!notes.isEmpty()) {
      b.append("Conditions and notes:\n\n");
      notes.forEach(n -> b.append("- ").append(n).append('\n'));
      b.append('\n');
    }
    if (!targets.isEmpty()) {
      b.append(
          "## Targets\n\n| target | goal | result | verdict | note |\n|---|---|---|---|---|\n");
      for (Target t : targets) {
        b.append(
            String.format(
                Locale.ROOT,
                "| %s | %s | %s | %s | %s |%n",
                md(t.target()),
                md(t.goal()),
                md(t.result()),
                t.verdict().text,
                md(t.note())));
      }
      b.append('\n');
    }
    sections.forEach(s -> b.append(s).append('\n'));
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, b);
  }

  static String md(String s) {
    return s == null ? "" : s.replace("|", "\\|").replace("\n", " ");
  }

  /** A Markdown table from a header and rows of cells. */
  public static String table(List<String> header, List<List<String>> rows) {
    StringBuilder b = new StringBuilder("| ").append(String.join(" | ", header)).append(" |\n|");
    header.forEach(h -> b.append("---|"));
    b.append('\n');
    for (List<String> r : rows) {
      b.append("| ").append(String.join(" | ", r.stream().map(Report::md).toList())).append(" |\n");
    }
    return b.toString();
  }

  /** A row's number, NaN when it has none (a failed measurement, a column a suite left out). */
  public static double d(Map<String, Object> row, String column) {
    return row.get(column) instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  public static String fmt(double v, int decimals) {
    if (Double.isNaN(v)) {
      return "–";
    }
    return String.format(Locale.ROOT, "%,." + decimals + "f", v);
  }
}
