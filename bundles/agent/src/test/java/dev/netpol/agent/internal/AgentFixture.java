package dev.netpol.agent.internal;

import dev.netpol.api.EnforcementBackend;
import dev.netpol.api.PodKey;
import dev.netpol.platform.guice.ServiceRef.Registered;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The agent's parts wired as NodeAgent wires them, with an in-memory pod cache and in-process
 * backends registered by hand: the state machine without OSGi, informers or a kernel. Work that
 * NodeAgent runs on its worker is run here on the test thread, in the same order.
 */
final class AgentFixture {
  final Map<PodKey, LocalPod> pods = new HashMap<>();
  final PolicyIndex index = new PolicyIndex(PolicyIndexTest.NODE);
  final LatencyHistogram latency = new LatencyHistogram();
  final List<Registered<EnforcementBackend>> registered = new CopyOnWriteArrayList<>();
  final List<String> log = new CopyOnWriteArrayList<>();
  final List<String> released = new CopyOnWriteArrayList<>();
  final Map<String, String> interfaces = new HashMap<>();
  int capacityChanges;
  boolean synced = true;
  boolean releaseFails;
  long nextServiceId = 100;
  final PodReconciler reconciler;
  final BackendSwitcher switcher;
  final BackendRecords records;

  AgentFixture(String wanted, Path recordDir, Duration fallbackGrace) {
    reconciler =
        new PodReconciler(
            new PodReconciler.Caches() {
              @Override
              public LocalPod pod(PodKey key) {
                return pods.get(key);
              }

              @Override
              public boolean synced() {
                return synced;
              }
            },
            () -> index,
            ip -> Optional.ofNullable(interfaces.getOrDefault(ip.getHostAddress(), "veth0")),
            Set.of(),
            AgentSettings.Mode.STANDARD,
            latency,
            Clock.systemUTC(),
            () -> capacityChanges++);
    records = new BackendRecords(recordDir);
    switcher =
        new BackendSwitcher(
            new BackendSwitcher.Env() {
              @Override
              public List<Registered<EnforcementBackend>> registered() {
                return List.copyOf(registered);
              }

              @Override
              public boolean synced() {
                return synced;
              }

              @Override
              public Collection<PodKey> localPods() {
                return new ArrayList<>(pods.keySet());
              }

              @Override
              public void markAll() {}
            },
            reconciler,
            records,
            (name, args) -> {
              if (releaseFails) {
                throw new IllegalStateException("injected release failure");
              }
              released.add(name + " " + String.join(" ", args));
            },
            Clock.systemUTC(),
            wanted,
            fallbackGrace);
  }

  AgentFixture() {
    this("ebpf", null, Duration.ZERO);
  }

  FakeBackend backend(String name) {
    return new FakeBackend(name, log);
  }

  /** Registers a backend service as its bundle would, with a release command. */
  Registered<EnforcementBackend> register(FakeBackend b) {
    return register(b, b.name(), "release");
  }

  /** Registers a backend service advertising {@code releaseArgs}. */
  Registered<EnforcementBackend> register(FakeBackend b, String... releaseArgs) {
    Registered<EnforcementBackend> r =
        new Registered<>(
            b,
            Map.of(
                EnforcementBackend.NAME_PROPERTY,
                b.name(),
                "service.id",
                nextServiceId++,
                BackendRecords.RELEASE_PROPERTY,
                releaseArgs));
    registered.add(r);
    return r;
  }

  void unregister(FakeBackend b) {
    registered.removeIf(r -> r.service() == b);
  }

  Object idOf(FakeBackend b) {
    return registered.stream()
        .filter(r -> r.service() == b)
        .map(BackendSwitcher::id)
        .findFirst()
        .orElseThrow();
  }

  static LocalPod pod(PodKey key, String ip) {
    return LocalPod.running(key.namespace(), key.name(), ip);
  }

  void addPod(PodKey key, String ip) {
    pods.put(key, pod(key, ip));
  }

  /** Reconciles every known pod into the active backend, as the worker does after markAll. */
  void reconcileAll() {
    List<PodKey> keys = new ArrayList<>(pods.keySet());
    keys.addAll(reconciler.programmed().keySet());
    keys.stream().distinct().sorted().forEach(k -> reconciler.reconcile(k, switcher.active()));
  }
}
