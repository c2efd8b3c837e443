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
 * property of the same key (what command-line flags set), then the configuration file's value, then
 * the declared default. A value that does not parse is reported (file, key, reason) and the
 * previous value stays.
 */
public final class ConfiguredSettings implements Settings {
  private static final Logger LOG = LoggerFactory.getLogger(ConfiguredSettings.class);
  private final BundleContext context;
  private final String pid;
  private final Map<String, Setting<?>> declared = new ConcurrentHashMap<>();
  private final Map<String, Object> values = new ConcurrentHashMap<>();
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private ServiceRegistration<?> registration;

  public ConfiguredSettings(BundleContext context, String pid) {
    this.context = context;
    this.pid = pid;
  }

  public void declare(Collection<Setting<?>> settings) {
    for (Setting<?> s : settings) {
      declared.put(s.key(), s);
      String fw = context.getProperty(s.key());
      values.put(
          s.key(),
          fw == null ? s.defaultValue() : parseOr(s, fw, "framework property", s.defaultValue()));
    }
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
  }

  public void close() {
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
    Object file = config.get("felix.fileinstall.filename");
    String source =
        file == null ? "configuration " + pid : String.valueOf(file).replaceFirst("^file:", "");
    boolean changed = false;
    for (Setting<?> s : declared.values()) {
      Object raw = config.get(s.key());
      if (raw == null || context.getProperty(s.key()) != null) {
        continue; // absent, or set on the command line, which wins
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
      listeners.forEach(Runnable::run);
    }
  }

  private static Object parseOr(Setting<?> s, String raw, String source, Object previous) {
    try {
      return s.parser().apply(raw);
    } catch (IllegalArgumentException e) {
      LOG.error("{}: key '{}': {}; keeping {}", source, s.key(), e.getMessage(), previous);
      return previous;
    }
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
