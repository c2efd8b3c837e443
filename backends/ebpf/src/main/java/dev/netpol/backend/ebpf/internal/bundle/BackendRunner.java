package dev.netpol.backend.ebpf.internal.bundle;

import dev.netpol.api.EnforcementBackend;
import dev.netpol.api.ServedBackend;
import dev.netpol.api.VerdictEvent;
import dev.netpol.api.VerdictEvents;
import dev.netpol.backend.ebpf.EbpfBackend;
import dev.netpol.platform.guice.Managed;
import dev.netpol.platform.guice.Setting;
import dev.netpol.platform.guice.Settings;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.Hashtable;
import java.util.List;
import java.util.function.Consumer;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * The backend's lifecycle in the container: created (adopting what is pinned) when the bundle
 * starts, closed when it stops. Closing releases handles only: pinned programs, maps and tc filters
 * stay, so enforcement continues while the agent is down.
 */
final class BackendRunner extends ServedBackend implements Managed, VerdictEvents {
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
  static final Setting<Integer> CT_ENTRIES =
      Setting.integer(
          "netpol.ebpf.conntrack.entries",
          dev.netpol.backend.ebpf.internal.PodDatapath.Limits.CONNTRACK_DEFAULT,
          1024,
          64 * 1024 * 1024,
          "capacity of the node-wide conntrack table (flows); applies when the table is created");
  static final Setting<Integer> RULES_PER_POD =
      Setting.integer(
          "netpol.ebpf.rules.per.pod",
          dev.netpol.backend.ebpf.internal.PodDatapath.Limits.RULES_PER_POD_DEFAULT,
          16,
          dev.netpol.backend.ebpf.internal.rules.RuleCompiler.MAX_ENTRIES,
          "most rule-trie entries one pod's policy may take; a larger policy is refused");
  static final List<Setting<?>> SETTINGS =
      List.of(PIN_ROOT, FLOW_LOG_RATE, CT_GC, CT_ENTRIES, RULES_PER_POD);

  private final Settings settings;
  private final BundleContext context;
  private volatile EbpfBackend backend;
  private ServiceRegistration<EnforcementBackend> registration;
  private ServiceRegistration<VerdictEvents> events;

  @Inject
  BackendRunner(Settings settings, BundleContext context) {
    super(EbpfBackend.NAME);
    this.settings = settings;
    this.context = context;
  }

  @Override
  public void start() {
    Path root = Path.of(settings.get(PIN_ROOT)).toAbsolutePath();
    backend =
        new EbpfBackend(
            new EbpfBackend.Config(
                root,
                settings.get(FLOW_LOG_RATE),
                settings.get(CT_GC),
                settings.get(CT_ENTRIES),
                settings.get(RULES_PER_POD)));
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

  @Override
  protected EnforcementBackend running() {
    return backend;
  }

  @Override
  public AutoCloseable subscribe(Consumer<VerdictEvent> listener) {
    EbpfBackend b = backend;
    return b == null ? () -> {} : b.subscribe(listener);
  }
}
