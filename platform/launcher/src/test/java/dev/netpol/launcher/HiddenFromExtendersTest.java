package dev.netpol.launcher;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/** In a real Felix: an extender neither finds the bundles hidden from it nor hears of them. */
class HiddenFromExtendersTest {
  private static final String MODEL = HiddenFromExtenders.MODEL_PREFIX + "apps";

  @TempDir Path dir;

  @Test
  void spiFlyMissesTheModelsAndScrTheClientOnly() throws Exception {
    Map<Path, Integer> bundles = new LinkedHashMap<>();
    for (String name :
        List.of(HiddenFromExtenders.SPI_FLY, HiddenFromExtenders.SCR, "other.bundle")) {
      bundles.put(jar(name), Profile.DEFAULT_LEVEL);
    }
    Container c =
        Container.start(
            new Profile("t", List.of(), bundles),
            Files.createTempDirectory(dir, "storage"),
            Map.of());
    try {
      BundleContext spiFly = context(c, HiddenFromExtenders.SPI_FLY);
      BundleContext scr = context(c, HiddenFromExtenders.SCR);
      BundleContext other = context(c, "other.bundle");
      List<String> heardBySpiFly = listen(spiFly);
      List<String> heardByScr = listen(scr);
      List<String> heardByOther = listen(other);

      for (String name : List.of(MODEL, HiddenFromExtenders.CLIENT)) {
        c.context().installBundle(Container.location(jar(name))).start();
      }

      assertEquals(
          List.of(HiddenFromExtenders.CLIENT),
          names(spiFly).stream().filter(n -> n.startsWith("io.fabric8")).toList());
      assertEquals(
          List.of(MODEL), names(scr).stream().filter(n -> n.startsWith("io.fabric8")).toList());
      assertTrue(names(other).containsAll(List.of(MODEL, HiddenFromExtenders.CLIENT)));
      assertFalse(heardBySpiFly.isEmpty());
      assertFalse(heardBySpiFly.contains(MODEL), heardBySpiFly.toString());
      assertFalse(heardByScr.contains(HiddenFromExtenders.CLIENT), heardByScr.toString());
      assertTrue(heardByScr.contains(MODEL), heardByScr.toString());
      assertTrue(
          heardByOther.containsAll(List.of(MODEL, HiddenFromExtenders.CLIENT)),
          heardByOther.toString());
      Bundle model =
          Arrays.stream(other.getBundles())
              .filter(b -> MODEL.equals(b.getSymbolicName()))
              .findFirst()
              .orElseThrow();
      assertNull(spiFly.getBundle(model.getBundleId()));
      assertNotNull(scr.getBundle(model.getBundleId()));
    } finally {
      c.stop();
    }
  }

  private static List<String> listen(BundleContext ctx) {
    List<String> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
    ctx.addBundleListener(e -> heard.add(e.getBundle().getSymbolicName()));
    return heard;
  }

  private static BundleContext context(Container c, String name) {
    return Arrays.stream(c.context().getBundles())
        .filter(b -> name.equals(b.getSymbolicName()))
        .findFirst()
        .orElseThrow()
        .getBundleContext();
  }

  private static List<String> names(BundleContext ctx) {
    return Arrays.stream(ctx.getBundles()).map(Bundle::getSymbolicName).toList();
  }

  private Path jar(String symbolicName) throws Exception {
    return ContainerTest.bundleJar(dir, symbolicName);
  }
}
