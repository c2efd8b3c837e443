package dev.netpol.agent.internal;

import dev.netpol.api.BackendHealth;
import dev.netpol.api.CapacityExceededException;
import dev.netpol.api.EnforcementBackend;
import dev.netpol.api.EnforcementException;
import dev.netpol.api.PodDesiredState;
import dev.netpol.api.PodKey;
import dev.netpol.api.ProgrammedPod;
import dev.netpol.api.model.PodEndpoint;
import dev.netpol.api.model.PodPolicy;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An in-process backend for the agent's state-machine tests: keeps what it was given, appends every
 * call to a log shared with other backends (so the order across backends can be checked), and fails
 * on request. Kernel behaviour is tested with the real backends (backends/*, itests).
 */
final class FakeBackend implements EnforcementBackend {
  final String name;
  final List<String> log;
  final Map<PodKey, ProgrammedPod> pods = new TreeMap<>();

  /** A pod whose apply throws, and how. */
  volatile PodKey failOn;

  volatile boolean capacity;
  volatile long capacityLimit = 10;
  volatile boolean healthy = true;
  volatile boolean wrongDigest;

  FakeBackend(String name, List<String> log) {
    this.name = name;
    this.log = log;
  }

  FakeBackend(String name) {
    this(name, new CopyOnWriteArrayList<>());
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public synchronized void apply(PodEndpoint pod, PodPolicy policy) throws EnforcementException {
    log.add(name + " apply " + pod.key());
    if (pod.key().equals(failOn)) {
      if (capacity) {
        int rules = policy.ingress().rules().size();
        throw new CapacityExceededException(pod.key(), "ingress rules", rules, capacityLimit);
      }
      throw new EnforcementException("injected failure for " + pod.key());
    }
    String digest = wrongDigest ? "0000" : policy.digest();
    pods.put(pod.key(), new ProgrammedPod(pod.key(), pod.hostInterface(), pod.addresses(), digest));
  }

  /** The size of each applyAll call. */
  final List<Integer> batches = new CopyOnWriteArrayList<>();

  @Override
  public Map<PodKey, EnforcementException> applyAll(List<PodDesiredState> states) {
    batches.add(states.size());
    return EnforcementBackend.super.applyAll(states);
  }

  @Override
  public synchronized void remove(PodKey pod) {
    log.add(name + " remove " + pod);
    pods.remove(pod);
  }

  @Override
  public synchronized Map<PodKey, ProgrammedPod> programmed() {
    return Map.copyOf(pods);
  }

  @Override
  public BackendHealth health() {
    return healthy ? BackendHealth.ok(pods.size() + " pods") : BackendHealth.failing("injected");
  }

  @Override
  public synchronized void release() {
    log.add(name + " release");
    pods.clear();
  }
}
