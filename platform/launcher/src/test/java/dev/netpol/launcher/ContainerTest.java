package dev.netpol.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;

class ContainerTest {
  /**
   * A profile without late bundles (every tool's) has nothing to start once a node is ready: the
   * container is complete when start returns, instead of waiting for a readiness that no bundle of
   * it will ever signal (every `bin/netpol` tool took 16 s).
   */
  @Test
  void aProfileWithoutLateBundlesIsCompleteWhenStartReturns() throws Exception {
    Profile empty = new Profile("empty", List.of(), Map.of());
    var storage = Files.createTempDirectory("netpol-container-test");
    // a readiness wait would last ten minutes: start must not get there at all
    Container c =
        assertTimeoutPreemptively(
            Duration.ofSeconds(30),
            () -> Container.start(empty, storage, Map.of("netpol.late.start.timeout", "600s")));
    try {
      assertTrue(c.lateStarted().isDone(), "no late bundles: nothing left to wait for");
      assertTrue(c.late().isEmpty());
    } finally {
      c.stop();
    }
  }

  /** A profile whose bundles all start at level 1 never waits for level 2 to come. */
  @Test
  void aProfileOfLevelOneOnlyDoesNotWaitForLevelTwo(@TempDir Path dir) throws Exception {
    Profile levelOne = new Profile("one", List.of(), Map.of(bundleJar(dir, "level.one"), 1));
    long t0 = System.nanoTime();
    Container c = Container.start(levelOne, Files.createTempDirectory(dir, "storage"), Map.of());
    try {
      long millis = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(millis < 10_000, "start took " + millis + " ms (the wait for level 2 is 30 s)");
      assertEquals(
          Bundle.ACTIVE,
          c.context().getBundle(Container.location(dir.resolve("level.one.jar"))).getState());
    } finally {
      c.stop();
    }
  }

  /** A bundle jar whose manifest is all there is to it. */
  static Path bundleJar(Path dir, String symbolicName) throws IOException {
    Manifest m = new Manifest();
    Attributes a = m.getMainAttributes();
    a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
    a.putValue("Bundle-ManifestVersion", "2");
    a.putValue("Bundle-SymbolicName", symbolicName);
    Path p = dir.resolve(symbolicName + ".jar");
    try (OutputStream out = Files.newOutputStream(p);
        JarOutputStream j = new JarOutputStream(out, m)) {
      // a manifest is all a bundle needs here
    }
    return p;
  }
}
