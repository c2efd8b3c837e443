package dev.netpol.backend.iptables.internal.bundle;

import dev.netpol.api.EnforcementBackend;
import dev.netpol.api.ServedBackend;
import dev.netpol.backend.iptables.IptablesBackend;
import dev.netpol.platform.guice.Managed;
import dev.netpol.platform.guice.Setting;
import dev.netpol.platform.guice.Settings;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Hashtable;
import java.util.List;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * The backend's lifecycle in the container: created (adopting what the kernel holds under its
 * prefix) when the bundle starts, closed when it stops. Closing leaves the chains and sets
 * enforcing while the agent is down.
 */
final class BackendRunner extends ServedBackend implements Managed {
  static final Setting<String> PREFIX =
      Setting.string(
          "netpol.iptables.prefix",
          IptablesBackend.DEFAULT_PREFIX,
          "first part of every iptables chain and ipset name of the iptables backend (1-10 letters or digits)");
  static final Setting<Duration> TIMEOUT =
      Setting.duration(
          "netpol.iptables.timeout",
          Duration.ofSeconds(30),
          "deadline of each iptables-restore, iptables-save and ipset command");
  static final List<Setting<?>> SETTINGS = List.of(PREFIX, TIMEOUT);

  private final Settings settings;
  private final BundleContext context;
  private volatile IptablesBackend backend;
  private ServiceRegistration<EnforcementBackend> registration;

  @Inject
  BackendRunner(Settings settings, BundleContext context) {
    super(IptablesBackend.NAME);
    this.settings = settings;
    this.context = context;
  }

  @Override
  public void start() {
    String prefix = settings.get(PREFIX);
    backend = new IptablesBackend(new IptablesBackend.Config(prefix, settings.get(TIMEOUT)));
    Hashtable<String, Object> props = new Hashtable<>();
    props.put(EnforcementBackend.NAME_PROPERTY, IptablesBackend.NAME);
    props.put(RELEASE_PROPERTY, new String[] {"iptables", "--prefix", prefix, "release"});
    registration = context.registerService(EnforcementBackend.class, this, props);
  }

  @Override
  public void stop() {
    ServiceRegistration<EnforcementBackend> r = registration;
    registration = null;
    if (r != null) {
      try {
        r.unregister(); // first: an agent hands over while this backend still works
      } catch (IllegalStateException ignored) {
        // the framework is stopping
      }
    }
    IptablesBackend b = backend;
    backend = null;
    if (b != null) {
      b.close();
    }
  }

  @Override
  protected EnforcementBackend running() {
    return backend;
  }
}
