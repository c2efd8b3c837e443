package dev.netpol.itests;

import static org.ops4j.pax.exam.CoreOptions.*;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
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
    o.add(frameworkProperty("felix.fileinstall.dir").value(configDir.toString()));
    o.add(frameworkProperty("felix.fileinstall.enableConfigSave").value("false"));
    try {
      List<PathMatcher> globs = globs(dist().resolve("etc/profiles/" + name + ".list"));
      for (String g : moreBundles) {
        globs.add(FileSystems.getDefault().getPathMatcher("glob:" + g));
      }
      for (Path p : select(dist().resolve("bundles/boot"), globs)) {
        o.add(bundle(p.toUri().toString()).startLevel(1));
      }
      for (Path p : select(dist().resolve("bundles"), globs)) {
        boolean fragment = p.getFileName().toString().endsWith("-native.jar");
        o.add(bundle(p.toUri().toString()).startLevel(2).start(!fragment));
      }
    } catch (IOException e) {
      throw new IllegalStateException("distribution not built at " + dist() + ": " + e);
    }
    o.add(junitBundles());
    o.addAll(List.of(extra));
    return o.toArray(new Option[0]);
  }

  private static List<PathMatcher> globs(Path list) throws IOException {
    List<PathMatcher> globs = new ArrayList<>();
    for (String line : Files.readAllLines(list)) {
      String l = line.replaceAll("#.*", "").trim();
      if (!l.isEmpty()) {
        globs.add(FileSystems.getDefault().getPathMatcher("glob:" + l));
      }
    }
    return globs;
  }

  private static List<Path> select(Path dir, List<PathMatcher> globs) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".jar"))
          .filter(p -> globs.stream().anyMatch(g -> g.matches(p.getFileName())))
          .sorted()
          .toList();
    }
  }
}
