package dev.netpol.launcher;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

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
}
