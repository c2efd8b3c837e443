package dev.netpol.metrics.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4), enough to check what a
 * scrape returns: every sample line must parse, every sample must belong to a declared family.
 */
record Exposition(Map<String, String> types, List<Sample> samples) {
  record Sample(String name, Map<String, String> labels, double value) {}

  private static final Pattern SAMPLE =
      Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})? (\\S+)");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

  static Exposition parse(String text) {
    Map<String, String> types = new LinkedHashMap<>();
    List<Sample> samples = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("# HELP ")) {
        continue;
      }
      if (line.startsWith("# TYPE ")) {
        String[] p = line.substring(7).split(" ");
        types.put(p[0], p[1]);
        continue;
      }
      if (line.startsWith("#")) {
        throw new AssertionError("unknown comment line: " + line);
      }
      Matcher m = SAMPLE.matcher(line);
      if (!m.matches()) {
        throw new AssertionError("not a sample line: " + line);
      }
      Map<String, String> labels = new LinkedHashMap<>();
      if (m.group(3) != null && !m.group(3).isEmpty()) {
        Matcher l = LABEL.matcher(m.group(3));
        int end = 0;
        while (l.find() && l.start() == end) {
          labels.put(l.group(1), l.group(2).replace("\\\"", "\"").replace("\\\\", "\\"));
          end = l.end();
        }
        if (end != m.group(3).length()) {
          throw new AssertionError("bad labels in: " + line);
        }
      }
      String name = m.group(1);
      if (types.keySet().stream().noneMatch(f -> familyOf(name, f, types.get(f)))) {
        throw new AssertionError("sample of no declared family: " + line);
      }
      samples.add(
          new Sample(name, labels, Double.parseDouble(m.group(4).replace("Inf", "Infinity"))));
    }
    return new Exposition(types, samples);
  }

  private static boolean familyOf(String sample, String family, String type) {
    if (sample.equals(family)) {
      return true;
    }
    return switch (type) {
      case "counter" -> sample.equals(family + "_total") || sample.equals(family + "_created");
      case "histogram" ->
          sample.equals(family + "_bucket")
              || sample.equals(family + "_sum")
              || sample.equals(family + "_count")
              || sample.equals(family + "_created");
      case "summary" ->
          sample.equals(family + "_sum")
              || sample.equals(family + "_count")
              || sample.equals(family + "_created");
      default -> false;
    };
  }

  /** The one sample with this name whose labels include {@code labels} (name, value, ...). */
  double value(String name, String... labels) {
    List<Sample> found = find(name, labels);
    if (found.size() != 1) {
      throw new AssertionError(found.size() + " samples " + name + " " + List.of(labels));
    }
    return found.get(0).value();
  }

  List<Sample> find(String name, String... labels) {
    return samples.stream()
        .filter(s -> s.name().equals(name))
        .filter(
            s -> {
              for (int i = 0; i < labels.length; i += 2) {
                if (!labels[i + 1].equals(s.labels().get(labels[i]))) {
                  return false;
                }
              }
              return true;
            })
        .toList();
  }
}
