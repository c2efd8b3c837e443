package dev.netpol.metrics.internal;

import dev.netpol.api.BackendHealth;
import dev.netpol.api.PodKey;
import dev.netpol.api.status.AgentStatus;
import dev.netpol.api.status.PodStatus;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * Liveness and readiness of this container, as kubelet probes ask for them.
 *
 * <p>Live: the container's threads are responsive — a heartbeat thread ticked recently (a JVM
 * starved by GC or a stalled scheduler misses it) and no threads are deadlocked. Ready: on a node,
 * the agent's caches have synced once, the active backend reports itself healthy (its pinned state
 * is present and attached) and no local pod is failing to program (a rollout of a version that
 * cannot program its pods stops at the first node); a container with only the controller is ready
 * while it runs.
 */
final class Health implements AutoCloseable {
  /** One answer: whether the check passed, and one line saying why. */
  record Verdict(boolean ok, String detail) {}

  static final long HEARTBEAT_MILLIS = 1000;
  static final long STALE_MILLIS = 10_000;
  private final StatusSources sources;
  private final LongSupplier clock;
  private final ScheduledExecutorService heartbeat;
  private volatile long lastBeat;

  Health(StatusSources sources) {
    this(sources, System::currentTimeMillis, true);
  }

  Health(StatusSources sources, LongSupplier clock, boolean beat) {
    this.sources = sources;
    this.clock = clock;
    this.lastBeat = clock.getAsLong();
    this.heartbeat =
        beat
            ? Executors.newSingleThreadScheduledExecutor(
                r -> {
                  Thread t = new Thread(r, "netpol-metrics-heartbeat");
                  t.setDaemon(true);
                  return t;
                })
            : null;
    if (heartbeat != null) {
      heartbeat.scheduleAtFixedRate(
          this::beat, HEARTBEAT_MILLIS, HEARTBEAT_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  void beat() {
    lastBeat = clock.getAsLong();
  }

  Verdict liveness() {
    long since = clock.getAsLong() - lastBeat;
    if (since > STALE_MILLIS) {
      return new Verdict(false, "not live: the heartbeat thread last ran " + since + " ms ago");
    }
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long[] deadlocked = threads.findDeadlockedThreads();
    if (deadlocked != null) {
      String names =
          Arrays.stream(threads.getThreadInfo(deadlocked))
              .filter(java.util.Objects::nonNull)
              .map(ThreadInfo::getThreadName)
              .collect(Collectors.joining(", "));
      return new Verdict(false, "not live: deadlocked threads " + names);
    }
    return new Verdict(true, "live");
  }

  Verdict readiness() {
    Optional<AgentStatus> agent = sources.agent();
    if (agent.isPresent()) {
      AgentStatus a = agent.get();
      if (!a.synced()) {
        return new Verdict(
            false, "not ready: the agent's pod and PolicyEndpoint caches have not synced yet");
      }
      String name = a.backend();
      if (name.isEmpty()) {
        return new Verdict(false, "not ready: no enforcement backend is available");
      }
      Optional<StatusSources.NamedBackend> b =
          sources.backends().stream().filter(x -> x.name().equals(name)).findFirst();
      if (b.isEmpty()) {
        return new Verdict(false, "not ready: backend " + name + " is not registered");
      }
      BackendHealth h = b.get().backend().health();
      if (!h.healthy()) {
        return new Verdict(false, "not ready: backend " + name + " is unhealthy: " + h.detail());
      }
      List<PodStatus> failed = a.pods().stream().filter(p -> p.state().equals("failed")).toList();
      if (!failed.isEmpty()) {
        PodStatus first = failed.get(0);
        return new Verdict(
            false,
            "not ready: "
                + failed.size()
                + " pod(s) failed to program on "
                + name
                + ", e.g. "
                + first.key()
                + ": "
                + first.error());
      }
      // the pinned state is present: every pod the agent programmed is held by the backend's
      // kernel objects (read back from the kernel, not from the agent's memory)
      Set<PodKey> held = b.get().backend().programmed().keySet();
      List<PodKey> missing =
          a.programmed().keySet().stream().filter(k -> !held.contains(k)).sorted().toList();
      if (!missing.isEmpty()) {
        return new Verdict(
            false,
            "not ready: backend "
                + name
                + " has no pinned state for "
                + missing.size()
                + " programmed pod(s), e.g. "
                + missing.get(0));
      }
      return new Verdict(true, "ready: agent synced, backend " + name + ": " + h.detail());
    }
    if (sources.controller().isPresent()) {
      return new Verdict(true, "ready: controller running");
    }
    return new Verdict(false, "not ready: neither an agent nor a controller runs here");
  }

  @Override
  public void close() {
    if (heartbeat != null) {
      heartbeat.shutdownNow();
    }
  }
}
