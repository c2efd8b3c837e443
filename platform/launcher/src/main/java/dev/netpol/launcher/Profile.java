package dev.netpol.launcher;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A named set of bundles: {@code etc/profiles/<name>.list} holds one file-name glob per line
 * (matched in {@code bundles/boot} and {@code bundles}); {@code #} starts a comment.
 */
record Profile(String name, List<Path> bootBundles, List<Path> bundles) {

  static Profile load(Path home, String name) throws IOException {
    Path list = home.resolve("etc/profiles/" + name + ".list");
    if (!Files.isRegularFile(list)) {
      throw new IOException("no profile '" + name + "' (" + list + " is missing)");
    }
    List<PathMatcher> globs = new ArrayList<>();
    for (String line : Files.readAllLines(list)) {
      String l = line.replaceAll("#.*", "").trim();
      if (!l.isEmpty()) {
        globs.add(FileSystems.getDefault().getPathMatcher("glob:" + l));
      }
    }
    return new Profile(
        name, select(home.resolve("bundles/boot"), globs), select(home.resolve("bundles"), globs));
  }

  private static List<Path> select(Path dir, List<PathMatcher> globs) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".jar"))
          .filter(p -> globs.stream().anyMatch(g -> g.matches(p.getFileName())))
          .sorted()
          .toList();
    }
  }
}
