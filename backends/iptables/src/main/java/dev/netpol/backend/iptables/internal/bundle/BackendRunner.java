package dev.netpol.backend.iptables.internal.bundle;

import dev.netpol.api.BackendHealth;
import dev.netpol.api.BackendStatistics;
import dev.netpol.api.EnforcementBackend;
import dev.netpol.api.EnforcementException;
import dev.netpol.api.PodKey;
import dev.netpol.api.ProgrammedPod;
import dev.netpol.api.model.PodEndpoint;
import dev.netpol.api.model.PodPolicy;
import dev.netpol.backend.iptables.IptablesBackend;
import dev.netpol.platform.guice.Managed;
import dev.netpol.platform.guice.Setting;
import dev.netpol.platform.guice.Settings;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * The backend's lifecycle in the container: created (adopting what the kernel holds under its
 * prefix) when the bundle starts, closed when it stops. Closing leaves the chains and sets
 * enforcing while the agent is down.
 */
final class BackendRunner implements Managed, EnforcementBackend {
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

  /** Read by the agent: the bin/netpol arguments that release this state without this bundle. */
  static final String RELEASE_PROPERTY = "netpol.backend.release";

  private final Settings settings;
  private final BundleContext context;
  private volatile IptablesBackend backend;
  private ServiceRegistration<EnforcementBackend> registration;

  @Inject
  BackendRunner(Settings settings, BundleContext context) {
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

  private IptablesBackend backend() throws EnforcementException {
    IptablesBackend b = backend;
    if (b == null) {
      throw new EnforcementException("the iptables backend is stopped");
    }
    return b;
  }

  @Override
  public String name() {
    return IptablesBackend.NAME;
  }

  @Override
  public void apply(PodEndpoint pod, PodPolicy policy) throws EnforcementException {
    backend().apply(pod, policy);
  }

  @Override
  public void remove(PodKey pod) throws EnforcementException {
    backend().remove(pod);
  }

  @Override
  public Map<PodKey, ProgrammedPod> programmed() {
    IptablesBackend b = backend;
    return b == null ? Map.of() : b.programmed();
  }

  @Override
  public BackendHealth health() {
    IptablesBackend b = backend;
    return b == null ? BackendHealth.failing("stopped") : b.health();
  }

  @Override
  public BackendStatistics statistics() {
    IptablesBackend b = backend;
    return b == null ? BackendStatistics.EMPTY : b.statistics();
  }

  @Override
  public void release() throws EnforcementException {
    IptablesBackend b = backend;
    if (b != null) {
      b.release();
    }
  }
}
