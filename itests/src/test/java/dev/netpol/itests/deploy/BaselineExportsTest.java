package dev.netpol.itests.deploy;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What the bnd baseline check (per bundle, in {@code mvn verify}) cannot see because bundle
 * versions are left out of it: a package of the baseline release that is no longer exported at all,
 * or exported at a lower version, by the bundles of the distribution.
 */
class BaselineExportsTest {
  private static final Path ROOT = RenderedManifests.dist().resolve("../../..").normalize();

  @Test
  void everyPackageOfTheBaselineReleaseIsStillExportedAtItsVersionOrHigher() throws IOException {
    Map<String, String> released = exports(jars(ROOT.resolve("build/baseline/repo")));
    assertTrue(
        released.keySet().containsAll(List.of("dev.netpol.api", "dev.netpol.ebpf.sdk")),
        "baseline release: " + released);
    Map<String, String> shipped = exports(jars(RenderedManifests.dist().resolve("bundles")));
    List<String> problems = new ArrayList<>();
    released.forEach(
        (pkg, version) -> {
          String now = shipped.get(pkg);
          if (now == null) {
            problems.add(pkg + " " + version + " is exported by no bundle of the distribution");
          } else if (compare(now, version) < 0) {
            problems.add(pkg + " went down from " + version + " to " + now);
          }
        });
    assertEquals(List.of(), problems, "a removal is a major change: make a new baseline release");
  }

  @Test
  void everyPackageNetpolExportsCarriesAVersion() throws IOException {
    exports(jars(RenderedManifests.dist().resolve("bundles")))
        .forEach(
            (pkg, version) -> {
              if (pkg.startsWith("dev.netpol.")) {
                assertNotEquals("0.0.0", version, pkg);
              }
            });
  }

  private static List<Path> jars(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
    }
  }

  /** Package to version (the highest when several bundles export one). */
  static Map<String, String> exports(List<Path> jars) throws IOException {
    Map<String, String> out = new TreeMap<>();
    for (Path jar : jars) {
      try (JarFile f = new JarFile(jar.toFile())) {
        String header =
            f.getManifest() == null
                ? null
                : f.getManifest().getMainAttributes().getValue("Export-Package");
        if (header == null) {
          continue;
        }
        exportsOf(header).forEach((pkg, v) -> out.merge(pkg, v, BaselineExportsTest::higher));
      }
    }
    return out;
  }

  /** An OSGi header's clauses: split at commas outside quotes. */
  static List<String> clauses(String header) {
    List<String> out = new ArrayList<>();
    StringBuilder b = new StringBuilder();
    boolean quoted = false;
    for (char c : header.toCharArray()) {
      if (c == '"') {
        quoted = !quoted;
      }
      if (c == ',' && !quoted) {
        out.add(b.toString());
        b.setLength(0);
      } else {
        b.append(c);
      }
    }
    out.add(b.toString());
    return out;
  }

  static int compare(String a, String b) {
    String[] x = a.split("\\.");
    String[] y = b.split("\\.");
    for (int i = 0; i < 3; i++) {
      int d =
          Integer.compare(
              i < x.length ? Integer.parseInt(x[i]) : 0, i < y.length ? Integer.parseInt(y[i]) : 0);
      if (d != 0) {
        return d;
      }
    }
    return 0;
  }

  @Test
  void theHeaderParserKeepsQuotedListsTogether() {
    assertEquals(
        Map.of("a.b", "1.2.0", "c", "0.0.0"),
        Map.copyOf(exportsOf("a.b;version=\"1.2.0\";uses:=\"x,y\",c")));
    assertTrue(compare("2.0.0", "1.9.9") > 0);
    assertEquals(0, compare("1.0", "1.0.0"));
  }

  /** The packages of one Export-Package header and their versions. */
  static Map<String, String> exportsOf(String header) {
    Map<String, String> out = new TreeMap<>();
    for (String clause : clauses(header)) {
      String[] parts = clause.split(";");
      String version = "0.0.0";
      for (String p : parts) {
        if (p.strip().startsWith("version=")) {
          version = p.strip().substring("version=".length()).replace("\"", "");
        }
      }
      for (String p : parts) {
        if (!p.contains("=")) {
          out.merge(p.strip(), version, BaselineExportsTest::higher);
        }
      }
    }
    return out;
  }

  private static String higher(String a, String b) {
    return compare(a, b) >= 0 ? a : b;
  }
}
