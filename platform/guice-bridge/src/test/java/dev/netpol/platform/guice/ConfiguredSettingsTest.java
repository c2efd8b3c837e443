package dev.netpol.platform.guice;

import static org.junit.jupiter.api.Assertions.*;

import dev.netpol.platform.guice.internal.ConfiguredSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

class ConfiguredSettingsTest {
  static final Setting<Integer> SIZE =
      Setting.integer("chunk.size", 1000, 1, 100_000, "entries per chunk");
  static final Setting<Duration> RESYNC =
      Setting.duration("resync", Duration.ofMinutes(5), "full resync period");
  static final Setting<String> NODE = Setting.string("netpol.node.name", "none", "node name");
  Framework fw;

  @BeforeEach
  void startFramework() throws Exception {
    Path storage = Files.createTempDirectory("felix-test");
    fw =
        ServiceLoader.load(FrameworkFactory.class)
            .iterator()
            .next()
            .newFramework(
                Map.of(
                    "org.osgi.framework.storage",
                    storage.toString(),
                    "org.osgi.framework.storage.clean",
                    "onFirstInit",
                    "netpol.node.name",
                    "node-from-framework"));
    fw.start();
  }

  @AfterEach
  void stopFramework() throws Exception {
    fw.stop();
    fw.waitForStop(5000);
  }

  @Test
  void precedenceIsFrameworkPropertyThenFileThenDefault() {
    ConfiguredSettings s = new ConfiguredSettings(fw.getBundleContext(), "test.pid");
    s.declare(List.of(SIZE, RESYNC, NODE));
    assertEquals(1000, s.get(SIZE));
    assertEquals("node-from-framework", s.get(NODE));
    Hashtable<String, Object> cfg = new Hashtable<>();
    cfg.put("chunk.size", "250");
    cfg.put("resync", "30s");
    cfg.put("netpol.node.name", "node-from-file");
    s.updated(cfg);
    assertEquals("node-from-framework", s.get(NODE), "the command line wins over the file");
    assertEquals(250, s.get(SIZE));
    assertEquals(Duration.ofSeconds(30), s.get(RESYNC));
  }

  @Test
  void badValueKeepsThePreviousOneAndNotifiesNobody() {
    ConfiguredSettings s = new ConfiguredSettings(fw.getBundleContext(), "test.pid");
    s.declare(List.of(SIZE, RESYNC));
    AtomicInteger changes = new AtomicInteger();
    s.onChange(changes::incrementAndGet);
    Hashtable<String, Object> good = new Hashtable<>(Map.of("chunk.size", "500"));
    s.updated(good);
    assertEquals(1, changes.get());
    Hashtable<String, Object> bad =
        new Hashtable<>(
            Map.of(
                "chunk.size",
                "lots",
                "resync",
                "soon",
                "felix.fileinstall.filename",
                "file:/opt/netpol/etc/config/test.pid.cfg"));
    s.updated(bad);
    assertEquals(500, s.get(SIZE));
    assertEquals(Duration.ofMinutes(5), s.get(RESYNC));
    assertEquals(1, changes.get());
  }

  @Test
  void parsersExplainWhatIsWrong() {
    assertEquals(
        "170000 is outside 1..100000",
        assertThrows(IllegalArgumentException.class, () -> SIZE.parser().apply("170000"))
            .getMessage());
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> RESYNC.parser().apply("5 hours"))
            .getMessage()
            .contains("duration"));
  }
}
