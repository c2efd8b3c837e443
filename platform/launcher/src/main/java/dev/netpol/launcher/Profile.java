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
import java.util.stream.Stream;

/**
 * A named set of bundles: {@code etc/profiles/<name>.list} holds one file-name glob per line
 * (matched in {@code bundles/boot} and {@code bundles}); {@code #} starts a comment. A glob may be
 * followed by a start level of 3 or more: those bundles start after every other one (the web
 * console, whose start should not compete with the agent's), level by level.
 *
 * @param bundles every non-boot bundle with its start level (2 unless the line says otherwise)
 */
record Profile(String name, List<Path> bootBundles, Map<Path, Integer> bundles) {
  static final int DEFAULT_LEVEL = 2;

  /** One line of a profile: a glob and the start level of what it matches. */
  record Line(PathMatcher glob, int level) {}

  static Profile load(Path home, String name) throws IOException {
    Path list = home.resolve("etc/profiles/" + name + ".list");
    if (!Files.isRegularFile(list)) {
      throw new IOException("no profile '" + name + "' (" + list + " is missing)");
    }
    List<Line> lines = parse(list);
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
      String[] words = l.split("\\s+");
      int level = DEFAULT_LEVEL;
      if (words.length > 2
          || words.length == 2 && !words[1].matches("\\d{1,2}")
          || words.length == 2 && (level = Integer.parseInt(words[1])) < DEFAULT_LEVEL) {
        throw new IOException(
            list + " line " + n + ": '" + l + "' is not a glob with an optional start level >= 2");
      }
      lines.add(new Line(FileSystems.getDefault().getPathMatcher("glob:" + words[0]), level));
    }
    return lines;
  }

  /** The jars of {@code dir} some line matches, sorted by name, with the first match's level. */
  private static Map<Path, Integer> select(Path dir, List<Line> lines) throws IOException {
    Map<Path, Integer> out = new LinkedHashMap<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.filter(x -> x.toString().endsWith(".jar")).sorted().toList()) {
        lines.stream()
            .filter(l -> l.glob().matches(p.getFileName()))
            .findFirst()
            .ifPresent(l -> out.put(p, l.level()));
      }
    }
    return out;
  }

  /** The highest start level a bundle of this profile has. */
  int topLevel() {
    return bundles.values().stream().mapToInt(Integer::intValue).max().orElse(DEFAULT_LEVEL);
  }
}
