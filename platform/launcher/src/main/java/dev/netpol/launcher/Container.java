package dev.netpol.launcher;

import dev.netpol.launcher.spi.Ready;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.hooks.bundle.EventHook;
import org.osgi.framework.hooks.bundle.FindHook;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.startlevel.FrameworkStartLevel;
import org.osgi.util.tracker.ServiceTracker;

/**
 * An embedded Felix framework running one profile. Boot bundles (SPI Fly, ASM, SLF4J) start at
 * level 1 so that logging is wired before any other bundle asks for a logger.
 */
final class Container {
  /** Packages the system bundle exports besides the JRE's. */
  static final String SYSTEM_PACKAGES_EXTRA =
      "dev.netpol.launcher.spi;version=1.0.0,com.sun.net.httpserver;version=1.0.0,sun.misc,sun.nio.ch";

  /**
   * Framework properties that keep the web stack closed until netpol configures it: Felix HTTP
   * listens nowhere (not on its default 0.0.0.0:8080) until the console bundle gives it an address,
   * and the Web Console serves nothing (not with its default admin/admin) until netpol's security
   * provider is registered. A command line {@code --set} can still override them.
   */
  static final Map<String, String> SAFE_DEFAULTS =
      Map.of(
          "org.apache.felix.http.require.config", "true",
          "felix.webconsole.security.providers", "netpol");

  private final Framework framework;
  private final List<String> problems = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final List<Bundle> late = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final java.util.concurrent.CompletableFuture<Void> lateStarted =
      new java.util.concurrent.CompletableFuture<>();
  private final java.util.concurrent.atomic.AtomicBoolean stopped =
      new java.util.concurrent.atomic.AtomicBoolean();

  private Container(Framework framework) {
    this.framework = framework;
  }

  static Container start(Profile profile, Path storage, Map<String, String> properties)
      throws IOException, BundleException {
    return start(profile, storage, properties, true);
  }

  /**
   * @param lateWhenReady start the profile's late bundles once a {@link Ready} service appears (and
   *     then {@code netpol.late.start.delay}); false starts them right after the others
   */
  static Container start(
      Profile profile, Path storage, Map<String, String> properties, boolean lateWhenReady)
      throws IOException, BundleException {
    Map<String, String> cfg = new HashMap<>();
    cfg.put(Constants.FRAMEWORK_STORAGE, storage.toString());
    cfg.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
    cfg.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, SYSTEM_PACKAGES_EXTRA);
    cfg.put(Constants.FRAMEWORK_BEGINNING_STARTLEVEL, String.valueOf(profile.topLevel()));
    cfg.put("felix.log.level", "1");
    cfg.putAll(SAFE_DEFAULTS);
    cfg.putAll(properties);
    Framework fw = ServiceLoader.load(FrameworkFactory.class).iterator().next().newFramework(cfg);
    fw.init();
    Container c = new Container(fw);
    BundleContext ctx = fw.getBundleContext();
    ctx.registerService(
        new String[] {FindHook.class.getName(), EventHook.class.getName()},
        new HiddenFromExtenders(),
        null);
    List<Bundle> installed = new ArrayList<>();
    for (Path p : profile.bootBundles()) {
      Bundle b = ctx.installBundle(location(p));
      b.adapt(BundleStartLevel.class).setStartLevel(1);
      installed.add(b);
    }
    for (var e : profile.bundles().entrySet()) {
      Bundle b = ctx.installBundle(location(e.getKey()));
      b.adapt(BundleStartLevel.class).setStartLevel(e.getValue());
      installed.add(b);
    }
    fw.start();
    List<Bundle> late = new ArrayList<>();
    for (Bundle b : installed) {
      if (b.getHeaders().get(Constants.FRAGMENT_HOST) != null) {
        continue;
      }
      if (b.adapt(BundleStartLevel.class).getStartLevel() > Profile.DEFAULT_LEVEL) {
        late.add(b);
        continue;
      }
      c.startBundle(b);
    }
    c.awaitStartLevel(Math.min(Profile.DEFAULT_LEVEL, profile.topLevel()));
    // level by level, the bundles a profile marks as late: once the container is ready
    late.sort(
        java.util.Comparator.comparingInt(b -> b.adapt(BundleStartLevel.class).getStartLevel()));
    c.late.addAll(late);
    // only late bundles wait for readiness, in the background; without any, start is complete
    boolean awaitReady = lateWhenReady && !late.isEmpty();
    Runnable startLate =
        () -> {
          if (awaitReady) {
            c.awaitReady(
                millis(cfg, "netpol.late.start.timeout", "15s"),
                millis(cfg, "netpol.late.start.delay", "3s"));
          }
          late.forEach(c::startBundle);
          c.awaitStartLevel(profile.topLevel());
          c.lateStarted.complete(null);
        };
    if (awaitReady) {
      Thread t = new Thread(startLate, "netpol-late-start");
      t.setDaemon(true);
      t.start();
    } else {
      startLate.run();
    }
    return c;
  }

  /**
   * A bundle's jar is read where it is ({@code reference:}), not copied into the framework's cache
   * at every start (the cache is cleaned at each start, and the jars hold about 30 MB).
   */
  static String location(Path jar) {
    return "reference:" + jar.toUri();
  }

  private void startBundle(Bundle b) {
    if (stopped.get()) {
      return;
    }
    try {
      b.start();
    } catch (BundleException | IllegalStateException e) {
      problems.add(b.getSymbolicName() + ": " + e.getMessage());
    }
  }

  /** Bundles started only once the container is ready (start level 3 and more). */
  List<Bundle> late() {
    return late;
  }

  /** Completes once the late bundles have been started (or have failed to). */
  java.util.concurrent.CompletableFuture<Void> lateStarted() {
    return lateStarted;
  }

  /** A duration property ({@code 500ms}, {@code 15s}) in milliseconds. */
  static long millis(Map<String, String> cfg, String key, String def) {
    String v = cfg.getOrDefault(key, def).trim();
    try {
      return v.endsWith("ms")
          ? Long.parseLong(v.substring(0, v.length() - 2))
          : Long.parseLong(v.replaceAll("s$", "")) * 1000;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + ": '" + v + "' is not a duration like 500ms or 15s");
    }
  }

  /**
   * Waits until some bundle says the container is ready (at most {@code timeout} ms), then {@code
   * delay} ms more: a policy applied right after a node's first sync is programmed before the late
   * bundles take the CPU.
   */
  private void awaitReady(long timeout, long delay) {
    ServiceTracker<Ready, Ready> t =
        new ServiceTracker<>(framework.getBundleContext(), Ready.class, null);
    t.open();
    try {
      if (t.waitForService(Math.max(1, timeout)) != null && delay > 0) {
        Thread.sleep(delay);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      t.close();
    }
  }

  private void awaitStartLevel(int level) {
    FrameworkStartLevel fsl = framework.adapt(FrameworkStartLevel.class);
    long end = System.nanoTime() + 30_000_000_000L;
    while (fsl.getStartLevel() < level && System.nanoTime() < end) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  BundleContext context() {
    return framework.getBundleContext();
  }

  /** Bundles that failed to start, with the framework's reason. */
  List<String> problems() {
    return problems;
  }

  List<Bundle> bundles() {
    return List.of(framework.getBundleContext().getBundles());
  }

  /** Stops the framework once; later calls do nothing. Returns whether this call stopped it. */
  boolean stop() {
    if (!stopped.compareAndSet(false, true)) {
      return false;
    }
    try {
      framework.stop();
      framework.waitForStop(30_000);
    } catch (BundleException | InterruptedException e) {
      System.err.println("netpol: framework did not stop cleanly: " + e.getMessage());
    }
    return true;
  }

  boolean isStopped() {
    return stopped.get();
  }

  void awaitStop() throws InterruptedException {
    framework.waitForStop(0);
  }
}
