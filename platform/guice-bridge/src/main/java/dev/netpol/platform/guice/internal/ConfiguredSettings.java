package dev.netpol.platform.guice.internal;

import dev.netpol.platform.guice.Setting;
import dev.netpol.platform.guice.Settings;
import java.util.Collection;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ManagedService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settings fed by Configuration Admin through a {@link ManagedService}. Precedence: a framework
 * property of the same key (what command-line flags set), then the configuration (file) value, then
 * the declared default. A value that does not parse is reported (file, key, reason) and the
 * previous value stays.
 *
 * <p>The values hold from the very first read. Configuration Admin delivers a configuration
 * asynchronously, and Felix FileInstall creates it from {@code etc/config/<pid>.cfg} whenever its
 * own scan gets there; a component reading settings at start would often see the defaults. So
 * {@link #declare} reads the configuration Configuration Admin already holds for the PID, else the
 * file in {@code felix.fileinstall.dir} itself. The delivery that follows then changes nothing; a
 * later edit does, and is passed to the {@link #onChange} listeners, or, if the bundle registered
 * none, to the {@link #whenChanged} hook (the bridge restarts the bundle's components).
 */
public final class ConfiguredSettings implements Settings {
  private static final Logger LOG = LoggerFactory.getLogger(ConfiguredSettings.class);
  private final BundleContext context;
  private final String pid;
  private final Map<String, Setting<?>> declared = new ConcurrentHashMap<>();
  private final Map<String, Object> values = new ConcurrentHashMap<>();
  private final Map<String, String> lastRaw = new ConcurrentHashMap<>();
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private volatile Runnable unhandled = () -> {};
  private final java.util.concurrent.atomic.AtomicLong deliveries =
      new java.util.concurrent.atomic.AtomicLong();
  private ServiceRegistration<?> registration;
  private ServiceRegistration<?> listener;

  public ConfiguredSettings(BundleContext context, String pid) {
    this.context = context;
    this.pid = pid;
  }

  /**
   * Declares the bundle's settings and sets their values: framework property, else the current
   * configuration (Configuration Admin's, else the file's), else the default.
   */
  public void declare(Collection<Setting<?>> settings) {
    Initial initial = initialConfiguration();
    for (Setting<?> s : settings) {
      declared.put(s.key(), s);
      String fw = context.getProperty(s.key());
      Object raw = initial.values().get(s.key());
      Object v = s.defaultValue();
      if (fw != null) {
        v = parseOr(s, fw, "framework property", s.defaultValue());
      } else if (raw != null) {
        lastRaw.put(s.key(), String.valueOf(raw).trim());
        v = parseOr(s, String.valueOf(raw), initial.source(), s.defaultValue());
      }
      values.put(s.key(), v);
    }
  }

  /** Runs when a change arrives and no {@link #onChange} listener is registered. */
  public void whenChanged(Runnable hook) {
    this.unhandled = hook;
  }

  private record Initial(String source, Map<String, Object> values) {}

  /** The configuration Configuration Admin holds for the PID, else the FileInstall file's. */
  private Initial initialConfiguration() {
    try {
      var ref = context.getServiceReference(org.osgi.service.cm.ConfigurationAdmin.class);
      var admin = ref == null ? null : context.getService(ref);
      if (admin != null) {
        try {
          Dictionary<String, Object> d = held(admin, pid);
          if (d != null) {
            Map<String, Object> m = new java.util.HashMap<>();
            for (var keys = d.keys(); keys.hasMoreElements(); ) {
              String k = keys.nextElement();
              m.put(k, d.get(k));
            }
            return new Initial(source(d), m);
          }
        } finally {
          context.ungetService(ref);
        }
      }
    } catch (NoClassDefFoundError | Exception e) {
      LOG.debug("{}: no configuration from Configuration Admin: {}", pid, e.toString());
    }
    String dir = context.getProperty("felix.fileinstall.dir");
    if (dir != null) {
      java.nio.file.Path file = java.nio.file.Path.of(dir, pid + ".cfg");
      if (java.nio.file.Files.isRegularFile(file)) {
        java.util.Properties p = new java.util.Properties();
        try (var in = java.nio.file.Files.newBufferedReader(file)) {
          p.load(in);
        } catch (java.io.IOException e) {
          LOG.error("{}: cannot read: {}; using defaults until it can be", file, e.toString());
          return new Initial(file.toString(), Map.of());
        }
        Map<String, Object> m = new java.util.HashMap<>();
        p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k).trim()));
        return new Initial(file.toString(), m);
      }
    }
    return new Initial("configuration " + pid, Map.of());
  }

  public void open() {
    Dictionary<String, Object> props = new Hashtable<>();
    props.put(Constants.SERVICE_PID, pid);
    // ConfigAdmin may be absent (e.g. in a minimal test container): then defaults apply.
    try {
      registration =
          context.registerService(
              ManagedService.class.getName(), (ManagedService) this::updated, props);
    } catch (NoClassDefFoundError e) {
      LOG.debug("{}: no Configuration Admin API; using defaults", pid);
    }
    openFileInstallListener();
  }

  /**
   * FileInstall reads {@code etc/config/netpol-agent.cfg} as a factory configuration (factory PID
   * {@code netpol}, name {@code agent}, PID {@code netpol~agent}): the text after the first dash
   * names a factory instance. Such a configuration never reaches the {@link ManagedService} of PID
   * {@code netpol-agent}, so edits of the file were never seen. A configuration listener follows
   * that PID and applies its properties like any other delivery.
   */
  private void openFileInstallListener() {
    int dash = pid.indexOf('-');
    if (dash <= 0) {
      return;
    }
    String factoryStyle = pid.substring(0, dash) + "~" + pid.substring(dash + 1);
    try {
      listener =
          context.registerService(
              org.osgi.service.cm.ConfigurationListener.class.getName(),
              (org.osgi.service.cm.ConfigurationListener)
                  e -> {
                    if (e.getType() == org.osgi.service.cm.ConfigurationEvent.CM_UPDATED
                        && factoryStyle.equals(e.getPid())) {
                      Dictionary<String, ?> props = read(e.getReference(), factoryStyle);
                      if (props != null) {
                        updated(props);
                      }
                    }
                  },
              null);
    } catch (NoClassDefFoundError e) {
      LOG.debug("{}: no Configuration Admin API; file edits are not followed", pid);
    }
  }

  private Dictionary<String, ?> read(
      org.osgi.framework.ServiceReference<org.osgi.service.cm.ConfigurationAdmin> ref,
      String configPid) {
    org.osgi.service.cm.ConfigurationAdmin admin = context.getService(ref);
    if (admin == null) {
      return null;
    }
    try {
      return held(admin, configPid);
    } catch (java.io.IOException | org.osgi.framework.InvalidSyntaxException e) {
      LOG.warn("{}: cannot read configuration {}: {}", pid, configPid, e.toString());
      return null;
    } finally {
      context.ungetService(ref);
    }
  }

  /** The properties Configuration Admin holds for {@code configPid}, or null. */
  private static Dictionary<String, Object> held(
      org.osgi.service.cm.ConfigurationAdmin admin, String configPid)
      throws java.io.IOException, org.osgi.framework.InvalidSyntaxException {
    org.osgi.service.cm.Configuration[] cs =
        admin.listConfigurations("(" + Constants.SERVICE_PID + "=" + configPid + ")");
    return cs == null || cs.length == 0 ? null : cs[0].getProperties();
  }

  /** Where a configuration came from, for messages: its file, else its PID. */
  private String source(Dictionary<String, ?> config) {
    Object file = config.get("felix.fileinstall.filename");
    return file == null ? "configuration " + pid : String.valueOf(file).replaceFirst("^file:", "");
  }

  public void close() {
    if (listener != null) {
      try {
        listener.unregister();
      } catch (IllegalStateException ignored) {
        // the bundle is stopping
      }
    }
    if (registration != null) {
      try {
        registration.unregister();
      } catch (IllegalStateException ignored) {
        // the bundle is stopping
      }
    }
  }

  /** Applies a configuration; public for tests. {@code null} means "no configuration". */
  public void updated(Dictionary<String, ?> config) {
    if (config == null) {
      return;
    }
    String source = source(config);
    boolean changed = false;
    for (Setting<?> s : declared.values()) {
      Object raw = config.get(s.key());
      if (context.getProperty(s.key()) != null) {
        continue; // set on the command line, which wins
      }
      if (raw == null) {
        if (lastRaw.remove(s.key()) != null && !s.defaultValue().equals(values.get(s.key()))) {
          values.put(s.key(), s.defaultValue()); // removed from the file: back to the default
          changed = true;
          LOG.info("{}: {} = {} (default)", source, s.key(), s.defaultValue());
        }
        continue;
      }
      if (String.valueOf(raw).trim().equals(lastRaw.put(s.key(), String.valueOf(raw).trim()))) {
        continue; // what was read at start (or last time): nothing new, nothing to report again
      }
      Object old = values.get(s.key());
      Object v = parseOr(s, String.valueOf(raw), source, old);
      if (!v.equals(old)) {
        values.put(s.key(), v);
        changed = true;
        LOG.info("{}: {} = {}", source, s.key(), v);
      }
    }
    for (java.util.Enumeration<String> keys = config.keys(); keys.hasMoreElements(); ) {
      String k = keys.nextElement();
      if (!declared.containsKey(k)
          && !k.startsWith("service.")
          && !k.startsWith("felix.")
          && !k.startsWith("component.")) {
        LOG.warn("{}: key '{}' is not a setting of {}; ignored", source, k, pid);
      }
    }
    if (changed) {
      if (listeners.isEmpty()) {
        unhandled.run();
      } else {
        listeners.forEach(Runnable::run);
      }
    }
    deliveries.incrementAndGet();
  }

  private static Object parseOr(Setting<?> s, String raw, String source, Object previous) {
    try {
      return s.parser().apply(raw);
    } catch (IllegalArgumentException e) {
      LOG.error("{}: key '{}': {}; keeping {}", source, s.key(), e.getMessage(), previous);
      return previous;
    }
  }

  /** Configurations delivered since {@link #open} (diagnostics, tests). */
  public long deliveries() {
    return deliveries.get();
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> T get(Setting<T> setting) {
    Object v = values.get(setting.key());
    return v == null ? setting.defaultValue() : (T) v;
  }

  @Override
  public void onChange(Runnable listener) {
    listeners.add(listener);
  }
}
