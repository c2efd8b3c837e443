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
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

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
  private final Settings settings;
  private volatile EbpfBackend backend;

  @Inject
  BackendRunner(Settings settings) {
    this.settings = settings;
  }

  @Override
  public void start() {
    backend =
        new EbpfBackend(
            new EbpfBackend.Config(
                Path.of(settings.get(PIN_ROOT)), settings.get(FLOW_LOG_RATE), settings.get(CT_GC)));
  }

  @Override
  public void stop() {
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
