package dev.netpol.metrics.internal;

import dev.netpol.api.BackendHealth;
import dev.netpol.api.BackendStatistics;
import dev.netpol.api.EnforcementBackend;
import dev.netpol.api.PodKey;
import dev.netpol.api.ProgrammedPod;
import dev.netpol.api.model.PodEndpoint;
import dev.netpol.api.model.PodPolicy;
import dev.netpol.api.status.AgentStatus;
import dev.netpol.api.status.ControllerStatus;
import dev.netpol.api.status.PodStatus;
import dev.netpol.api.status.PolicyStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/** Status services with values a test sets; what the agent, controller and backends report. */
final class Fixtures {
  private Fixtures() {}

  static final class Agent implements AgentStatus {
    volatile boolean synced = true;
    volatile String backend = "ebpf";
    volatile List<PodStatus> pods = List.of();
    volatile SortedMap<Double, Long> histogram = new TreeMap<>();
    volatile double sum = Double.NaN;
    volatile long errors;
    volatile int held;
    volatile long switches;

    @Override
    public String nodeName() {
      return "node-1";
    }

    @Override
    public String backend() {
      return backend;
    }

    @Override
    public boolean synced() {
      return synced;
    }

    @Override
    public Map<PodKey, String> programmed() {
      Map<PodKey, String> m = new TreeMap<>();
      pods.stream()
          .filter(p -> p.state().equals("programmed"))
          .forEach(p -> m.put(p.key(), p.policyDigest()));
      return m;
    }

    @Override
    public List<PodStatus> pods() {
      return pods;
    }

    @Override
    public SortedMap<Double, Long> latencyHistogram() {
      return histogram;
    }

    @Override
    public double latencySumSeconds() {
      return sum;
    }

    @Override
    public long reconcileErrors() {
      return errors;
    }

    @Override
    public int policyEndpointsHeld() {
      return held;
    }

    @Override
    public long backendSwitches() {
      return switches;
    }
  }

  static final class Backend implements EnforcementBackend {
    final String name;
    volatile BackendHealth health = BackendHealth.ok("fine");
    volatile BackendStatistics statistics = BackendStatistics.EMPTY;
    volatile RuntimeException failure;
    volatile Map<PodKey, ProgrammedPod> held = Map.of();

    Backend(String name) {
      this.name = name;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public void apply(PodEndpoint pod, PodPolicy policy) {}

    @Override
    public void remove(PodKey pod) {}

    @Override
    public Map<PodKey, ProgrammedPod> programmed() {
      return held;
    }

    @Override
    public BackendHealth health() {
      if (failure != null) {
        throw failure;
      }
      return health;
    }

    @Override
    public void release() {}

    @Override
    public BackendStatistics statistics() {
      if (failure != null) {
        throw failure;
      }
      return statistics;
    }
  }

  static final class Controller implements ControllerStatus {
    volatile boolean leader = true;
    volatile List<PolicyStatus> policies = List.of();
    volatile long writes;
    volatile long errors;

    @Override
    public boolean leader() {
      return leader;
    }

    @Override
    public String identity() {
      return "ctrl-1";
    }

    @Override
    public List<PolicyStatus> policies() {
      return policies;
    }

    @Override
    public long writes() {
      return writes;
    }

    @Override
    public long errors() {
      return errors;
    }
  }

  /** Sources a test fills: any service may be absent (null). */
  static final class Sources implements StatusSources {
    volatile AgentStatus agent;
    volatile ControllerStatus controller;
    final List<NamedBackend> backends = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public Optional<AgentStatus> agent() {
      return Optional.ofNullable(agent);
    }

    @Override
    public Optional<ControllerStatus> controller() {
      return Optional.ofNullable(controller);
    }

    @Override
    public List<NamedBackend> backends() {
      return new ArrayList<>(backends);
    }

    Sources with(EnforcementBackend b) {
      backends.add(new NamedBackend(b.name(), b));
      return this;
    }
  }

  static PodStatus pod(String key, String state) {
    return new PodStatus(
        PodKey.parse(key),
        "veth" + key.hashCode(),
        List.of("198.18.0.1"),
        state,
        List.of("demo/deny"),
        1,
        -1,
        "abc",
        null,
        Double.NaN,
        "");
  }
}
