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

  /**
   * The values in etc/config hold from the very first read, although Configuration Admin and
   * FileInstall (the real bundles, installed here) deliver the file asynchronously; the delivery
   * that follows changes nothing, a later edit of the file does.
   */
  @Test
  void fileValuesHoldBeforeConfigurationAdminDeliversThem() throws Exception {
    Path dir = Files.createTempDirectory("netpol-config-");
    Path cfg = dir.resolve("test.pid.cfg");
    Files.writeString(
        cfg, "# a comment\nchunk.size = 250\nresync = 30s\nnetpol.node.name = from-file\n");
    Framework cm = framework(dir);
    try {
      ConfiguredSettings s = new ConfiguredSettings(cm.getBundleContext(), "test.pid");
      AtomicInteger hooks = new AtomicInteger();
      s.whenChanged(hooks::incrementAndGet);
      s.declare(List.of(SIZE, RESYNC, NODE));
      assertEquals(250, s.get(SIZE), "from the file, before any delivery");
      assertEquals(Duration.ofSeconds(30), s.get(RESYNC));
      assertEquals("node-from-framework", s.get(NODE), "the command line still wins");
      s.open();
      await(() -> s.deliveries() > 0);
      assertEquals(250, s.get(SIZE));
      assertEquals(0, hooks.get(), "the delivery of what was read changes nothing");

      Files.writeString(cfg, "chunk.size = 500\n");
      await(() -> s.get(SIZE) == 500);
      await(() -> hooks.get() == 1);
      assertEquals(Duration.ofMinutes(5), s.get(RESYNC), "a key removed from the file: default");
    } finally {
      cm.stop();
      cm.waitForStop(5000);
    }
  }

  /**
   * netpol's files are named like {@code netpol-agent.cfg}: FileInstall makes them factory
   * configurations ({@code netpol~agent}); an edit must still reach the settings of {@code
   * netpol-agent}.
   */
  @Test
  void anEditOfADashedFileIsSeen() throws Exception {
    Path dir = Files.createTempDirectory("netpol-config-");
    Path cfg = dir.resolve("netpol-test.cfg");
    Files.writeString(cfg, "chunk.size = 250\n");
    Framework cm = framework(dir);
    try {
      ConfiguredSettings s = new ConfiguredSettings(cm.getBundleContext(), "netpol-test");
      AtomicInteger hooks = new AtomicInteger();
      s.whenChanged(hooks::incrementAndGet);
      s.declare(List.of(SIZE));
      s.open();
      assertEquals(250, s.get(SIZE));
      Thread.sleep(300); // FileInstall's first scan: the same values change nothing
      Files.writeString(cfg, "chunk.size = 700\n");
      await(() -> s.get(SIZE) == 700);
      await(() -> hooks.get() == 1);
      s.close();
    } finally {
      cm.stop();
      cm.waitForStop(5000);
    }
  }

  @Test
  void aBundleWithoutListenersHasItsComponentsRestartedOnAChange() throws Exception {
    Path dir = Files.createTempDirectory("netpol-config-");
    Files.writeString(dir.resolve("test.pid.cfg"), "chunk.size = 250\n");
    Framework cm = framework(dir);
    try {
      List<Integer> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
      TestActivator activator = new TestActivator(seen);
      activator.start(cm.getBundleContext());
      assertEquals(List.of(250), seen, "the first start sees the file's value");
      var admin =
          cm.getBundleContext()
              .getService(
                  cm.getBundleContext()
                      .getServiceReference(org.osgi.service.cm.ConfigurationAdmin.class));
      await(() -> admin.getConfiguration("test.pid", null).getProperties() != null);
      Thread.sleep(300); // the delivery of the same values restarts nothing
      assertEquals(List.of(250), seen);
      var config = admin.getConfiguration("test.pid", null);
      java.util.Dictionary<String, Object> props = config.getProperties();
      props.put("chunk.size", "400");
      config.update(props);
      await(() -> seen.size() == 2);
      assertEquals(List.of(250, 400), seen);
      activator.stop(cm.getBundleContext());
    } finally {
      cm.stop();
      cm.waitForStop(5000);
    }
  }

  /** A bundle's activator whose one component records the chunk size it starts with. */
  static final class TestActivator extends GuiceBundleActivator {
    final List<Integer> seen;

    TestActivator(List<Integer> seen) {
      this.seen = seen;
    }

    @Override
    protected String configPid(org.osgi.framework.BundleContext context) {
      return "test.pid";
    }

    @Override
    protected List<com.google.inject.Module> modules(org.osgi.framework.BundleContext context) {
      return List.of(
          new com.google.inject.AbstractModule() {
            @Override
            protected void configure() {
              bind(List.class).toInstance(seen);
              OsgiBindings.settings(binder(), List.of(SIZE));
              OsgiBindings.manage(binder(), Component.class);
            }
          });
    }
  }

  static final class Component implements Managed {
    private final Settings settings;
    private final List<Integer> seen;

    @jakarta.inject.Inject
    @SuppressWarnings("unchecked")
    Component(Settings settings, List seen) {
      this.settings = settings;
      this.seen = seen;
    }

    @Override
    public void start() {
      seen.add(settings.get(SIZE));
    }

    @Override
    public void stop() {}
  }

  /** A framework with the real Configuration Admin and FileInstall watching {@code dir}. */
  static Framework framework(Path dir) throws Exception {
    Framework f =
        ServiceLoader.load(FrameworkFactory.class)
            .iterator()
            .next()
            .newFramework(
                Map.of(
                    "org.osgi.framework.storage",
                    Files.createTempDirectory("felix-test").toString(),
                    "org.osgi.framework.storage.clean",
                    "onFirstInit",
                    "org.osgi.framework.system.packages.extra",
                    "org.osgi.service.cm;version=1.6.1",
                    "felix.fileinstall.dir",
                    dir.toString(),
                    "felix.fileinstall.poll",
                    "50",
                    "felix.fileinstall.noInitialDelay",
                    "true",
                    "felix.fileinstall.enableConfigSave",
                    "false",
                    "netpol.node.name",
                    "node-from-framework"));
    f.start();
    for (Class<?> c :
        List.of(
            org.apache.felix.cm.impl.ConfigurationAdminImpl.class,
            org.apache.felix.fileinstall.internal.FileInstall.class)) {
      f.getBundleContext()
          .installBundle(c.getProtectionDomain().getCodeSource().getLocation().toString())
          .start();
    }
    return f;
  }

  static void await(java.util.concurrent.Callable<Boolean> condition) throws Exception {
    long end = System.nanoTime() + 10_000_000_000L;
    while (!condition.call()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out");
      }
      Thread.sleep(20);
    }
  }

  @Test
  void addressesParseOrSayWhy() {
    Setting<java.util.Optional<java.net.InetSocketAddress>> a =
        Setting.address("netpol.x.address", "127.0.0.1:9969", "where");
    assertEquals(new java.net.InetSocketAddress("127.0.0.1", 9969), a.defaultValue().orElseThrow());
    assertEquals(9970, a.parser().apply("[::1]:9970").orElseThrow().getPort());
    assertTrue(a.parser().apply(" ").isEmpty(), "empty: off");
    assertEquals(
        "'9969' is not host:port",
        assertThrows(IllegalArgumentException.class, () -> a.parser().apply("9969")).getMessage());
    assertEquals(
        "port 70000 is outside 0..65535",
        assertThrows(IllegalArgumentException.class, () -> a.parser().apply("h:70000"))
            .getMessage());
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
