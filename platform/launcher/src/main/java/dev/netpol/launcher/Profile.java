package dev.netpol.launcher;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A named set of bundles: {@code etc/profiles/<name>.list} holds one file-name glob per line
 * (matched in {@code bundles/boot} and {@code bundles}, installed and started in the order of the
 * lines); {@code #} starts a comment. A glob may be followed by a start level of 3 or more: those
 * bundles start after every other one (the web console, whose start should not compete with the
 * agent's), level by level. A line may end with {@code if KEY}: it counts only when the setting
 * {@code KEY} is {@code true} (the node's console, which an agent beside the pods runs only when
 * its operator asks for it).
 *
 * @param bundles every non-boot bundle with its start level (2 unless the line says otherwise)
 */
record Profile(String name, List<Path> bootBundles, Map<Path, Integer> bundles) {
  static final int DEFAULT_LEVEL = 2;

  /** One line of a profile: a glob, the start level of what it matches, and its condition. */
  record Line(PathMatcher glob, int level, String condition) {}

  /** A profile without conditional lines (or with all of them off). */
  static Profile load(Path home, String name) throws IOException {
    return load(home, name, key -> false);
  }

  /**
   * @param enabled whether the setting a line's {@code if KEY} names is on
   */
  static Profile load(Path home, String name, Predicate<String> enabled) throws IOException {
    Path list = home.resolve("etc/profiles/" + name + ".list");
    if (!Files.isRegularFile(list)) {
      throw new IOException("no profile '" + name + "' (" + list + " is missing)");
    }
    List<Line> lines =
        parse(list).stream()
            .filter(l -> l.condition() == null || enabled.test(l.condition()))
            .toList();
    List<Path> boot = new ArrayList<>(select(home.resolve("bundles/boot"), lines).keySet());
    return new Profile(name, boot, select(home.resolve("bundles"), lines));
  }

  static List<Line> parse(Path list) throws IOException {
    List<Line> lines = new ArrayList<>();
    int n = 0;
    for (String line : Files.readAllLines(list)) {
      n++;
      String l = line.replaceAll("#.*", "").trim();
      if (l.isEmpty()) {
        continue;
      }
      List<String> words = new ArrayList<>(List.of(l.split("\\s+")));
      String condition = null;
      int w = words.size();
      if (w >= 3 && words.get(w - 2).equals("if") && words.get(w - 1).matches("[a-z0-9.-]+")) {
        condition = words.get(w - 1);
        words = words.subList(0, w - 2);
      }
      int level = DEFAULT_LEVEL;
      if (words.size() > 2
          || words.size() == 2 && !words.get(1).matches("\\d{1,2}")
          || words.size() == 2 && (level = Integer.parseInt(words.get(1))) < DEFAULT_LEVEL) {
        throw new IOException(
            list
                + " line "
                + n
                + ": '"
                + l
                + "' is not a glob with an optional start level >= 2 and an optional 'if KEY'");
      }
      lines.add(
          new Line(
              FileSystems.getDefault().getPathMatcher("glob:" + words.get(0)), level, condition));
    }
    return lines;
  }

  /**
   * The jars of {@code dir} some line matches, with the first match's level, in the order of their
   * lines (by name among the jars of one line): the order they are installed and started in.
   */
  private static Map<Path, Integer> select(Path dir, List<Line> lines) throws IOException {
    Map<Path, Integer> out = new LinkedHashMap<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    List<Path> jars;
    try (Stream<Path> s = Files.list(dir)) {
      jars = s.filter(x -> x.toString().endsWith(".jar")).sorted().toList();
    }
    Map<Path, Line> first = new LinkedHashMap<>();
    for (Path p : jars) {
      lines.stream()
          .filter(l -> l.glob().matches(p.getFileName()))
          .findFirst()
          .ifPresent(l -> first.put(p, l));
    }
    for (Line l : lines) {
      first.forEach(
          (p, matched) -> {
            if (matched == l) {
              out.put(p, l.level());
            }
          });
    }
    return out;
  }

  /** The highest start level a bundle of this profile has. */
  int topLevel() {
    return bundles.values().stream().mapToInt(Integer::intValue).max().orElse(DEFAULT_LEVEL);
  }
}
