package dev.netpol.itests;

import static org.ops4j.pax.exam.CoreOptions.*;

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
import org.ops4j.pax.exam.Option;

/** Pax Exam options that provision one profile of the built distribution, as bin/netpol does. */
final class NetpolOptions {
  private NetpolOptions() {}

  static Path dist() {
    return Path.of(System.getProperty("netpol.dist", "../distribution/target/netpol"))
        .toAbsolutePath()
        .normalize();
  }

  static Option[] profile(String name, Option... extra) {
    return profile(name, dist().resolve("etc/config"), List.of(), extra);
  }

  /**
   * The profile's bundles and those matching {@code moreBundles} (file-name globs), with
   * FileInstall reading {@code configDir}.
   */
  static Option[] profile(String name, Path configDir, List<String> moreBundles, Option... extra) {
    List<Option> o = new ArrayList<>();
    o.add(systemProperty("pax.exam.logging").value("none"));
    // the packages bin/netpol's launcher exports from the system bundle (appended to Pax Exam's
    // own)
    o.add(
        systemPackages(
            "dev.netpol.launcher.spi;version=1.0.0", "com.sun.net.httpserver;version=1.0.0"));
    // the test classpath holds slf4j and fabric8 too: never let bundles see those copies
    o.add(frameworkProperty("felix.bootdelegation.implicit").value("false"));
    o.add(frameworkProperty("netpol.home").value(dist().toString()));
    // what bin/netpol's launcher sets (Container.SAFE_DEFAULTS): the web stack stays closed until
    // netpol configures it; and free ports, so that tests never collide with a running node
    o.add(frameworkProperty("org.apache.felix.http.require.config").value("true"));
    o.add(frameworkProperty("felix.webconsole.security.providers").value("netpol"));
    o.add(frameworkProperty("netpol.console.address").value("127.0.0.1:0"));
    o.add(frameworkProperty("netpol.metrics.address").value("127.0.0.1:0"));
    o.add(frameworkProperty("felix.fileinstall.dir").value(configDir.toString()));
    o.add(frameworkProperty("felix.fileinstall.enableConfigSave").value("false"));
    try {
      List<Glob> globs = globs(dist().resolve("etc/profiles/" + name + ".list"));
      for (String g : moreBundles) {
        globs.add(new Glob(FileSystems.getDefault().getPathMatcher("glob:" + g), 2));
      }
      for (Path p : select(dist().resolve("bundles/boot"), globs).keySet()) {
        o.add(bundle(p.toUri().toString()).startLevel(1));
      }
      for (var e : select(dist().resolve("bundles"), globs).entrySet()) {
        Path p = e.getKey();
        boolean fragment = p.getFileName().toString().endsWith("-native.jar");
        o.add(bundle(p.toUri().toString()).startLevel(e.getValue()).start(!fragment));
      }
    } catch (IOException e) {
      throw new IllegalStateException("distribution not built at " + dist() + ": " + e);
    }
    o.add(junitBundles());
    o.addAll(List.of(extra));
    return o.toArray(new Option[0]);
  }

  /** A profile line: a file-name glob and an optional start level (2 when absent). */
  private record Glob(PathMatcher matcher, int level) {}

  private static List<Glob> globs(Path list) throws IOException {
    List<Glob> globs = new ArrayList<>();
    for (String line : Files.readAllLines(list)) {
      String l = line.replaceAll("#.*", "").trim();
      if (!l.isEmpty() && !l.matches(".*\\sif\\s+\\S+$")) { // 'if KEY' lines: off, as by default
        String[] w = l.split("\\s+");
        globs.add(
            new Glob(
                FileSystems.getDefault().getPathMatcher("glob:" + w[0]),
                w.length > 1 ? Integer.parseInt(w[1]) : 2));
      }
    }
    return globs;
  }

  private static Map<Path, Integer> select(Path dir, List<Glob> globs) throws IOException {
    Map<Path, Integer> out = new LinkedHashMap<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.filter(x -> x.toString().endsWith(".jar")).sorted().toList()) {
        globs.stream()
            .filter(g -> g.matcher().matches(p.getFileName()))
            .findFirst()
            .ifPresent(g -> out.put(p, g.level()));
      }
    }
    return out;
  }
}
