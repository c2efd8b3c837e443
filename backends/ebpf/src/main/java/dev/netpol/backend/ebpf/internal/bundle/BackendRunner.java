package dev.netpol.backend.ebpf.internal.bundle;

import dev.netpol.api.BackendHealth;
import dev.netpol.api.EnforcementBackend;
import dev.netpol.api.EnforcementException;
import dev.netpol.api.PodKey;
import dev.netpol.api.ProgrammedPod;
import dev.netpol.api.VerdictEvent;
import dev.netpol.api.VerdictEvents;
import dev.netpol.api.model.PodEndpoint;
import dev.netpol.api.model.PodPolicy;
import dev.netpol.backend.ebpf.EbpfBackend;
import dev.netpol.platform.guice.Managed;
import dev.netpol.platform.guice.Setting;
import dev.netpol.platform.guice.Settings;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * The backend's lifecycle in the container: created (adopting what is pinned) when the bundle
 * starts, closed when it stops. Closing releases handles only: pinned programs, maps and tc filters
 * stay, so enforcement continues while the agent is down.
 */
final class BackendRunner implements Managed, EnforcementBackend, VerdictEvents {
  static final Setting<String> PIN_ROOT =
      Setting.string(
          "netpol.bpffs.root",
          EbpfBackend.DEFAULT_PIN_ROOT.toString(),
          "bpffs directory holding every pinned netpol program and map");
  static final Setting<Integer> FLOW_LOG_RATE =
      Setting.integer(
          "netpol.ebpf.flowlog.rate",
          50,
          0,
          100_000,
          "flow log lines per second (verdict events); 0 turns the event reader off");
  static final Setting<Integer> CT_GC =
      Setting.integer(
          "netpol.ebpf.conntrack.gc.seconds",
          60,
          0,
          86_400,
          "period of conntrack garbage collection in seconds; 0 turns it off");
  static final List<Setting<?>> SETTINGS = List.of(PIN_ROOT, FLOW_LOG_RATE, CT_GC);

  /**
   * Service property read by the agent: the bin/netpol arguments that release this backend's state
   * when its bundle is not running (see bundles/agent, BackendRecords).
   */
  static final String RELEASE_PROPERTY = "netpol.backend.release";

  private final Settings settings;
  private final BundleContext context;
  private volatile EbpfBackend backend;
  private ServiceRegistration<EnforcementBackend> registration;
  private ServiceRegistration<VerdictEvents> events;

  @Inject
  BackendRunner(Settings settings, BundleContext context) {
    this.settings = settings;
    this.context = context;
  }

  @Override
  public void start() {
    Path root = Path.of(settings.get(PIN_ROOT)).toAbsolutePath();
    backend =
        new EbpfBackend(
            new EbpfBackend.Config(root, settings.get(FLOW_LOG_RATE), settings.get(CT_GC)));
    Hashtable<String, Object> props = new Hashtable<>();
    props.put(EnforcementBackend.NAME_PROPERTY, EbpfBackend.NAME);
    props.put(RELEASE_PROPERTY, new String[] {"ebpf", "--root", root.toString(), "release"});
    registration = context.registerService(EnforcementBackend.class, this, props);
    Hashtable<String, Object> named = new Hashtable<>();
    named.put(EnforcementBackend.NAME_PROPERTY, EbpfBackend.NAME);
    events = context.registerService(VerdictEvents.class, this, named);
  }

  @Override
  public void stop() {
    ServiceRegistration<VerdictEvents> e = events;
    events = null;
    if (e != null) {
      try {
        e.unregister();
      } catch (IllegalStateException ignored) {
        // the framework is stopping
      }
    }
    ServiceRegistration<EnforcementBackend> r = registration;
    registration = null;
    if (r != null) {
      try {
        r.unregister(); // first: an agent hands over while this backend still works
      } catch (IllegalStateException ignored) {
        // the framework is stopping
      }
    }
    EbpfBackend b = backend;
    backend = null;
    if (b != null) {
      b.close();
    }
  }

  private EbpfBackend backend() throws EnforcementException {
    EbpfBackend b = backend;
    if (b == null) {
      throw new EnforcementException("the ebpf backend is stopped");
    }
    return b;
  }

  @Override
  public String name() {
    return EbpfBackend.NAME;
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
    EbpfBackend b = backend;
    return b == null ? Map.of() : b.programmed();
  }

  @Override
  public BackendHealth health() {
    EbpfBackend b = backend;
    return b == null ? BackendHealth.failing("stopped") : b.health();
  }

  @Override
  public AutoCloseable subscribe(Consumer<VerdictEvent> listener) {
    EbpfBackend b = backend;
    return b == null ? () -> {} : b.subscribe(listener);
  }

  @Override
  public void release() throws EnforcementException {
    EbpfBackend b = backend;
    if (b != null) {
      b.release();
    }
  }
}
