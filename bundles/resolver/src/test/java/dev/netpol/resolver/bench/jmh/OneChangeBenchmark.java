package dev.netpol.resolver.bench.jmh;

import dev.netpol.policyendpoint.PolicyEndpoint;
import dev.netpol.resolver.ClusterSnapshot;
import dev.netpol.resolver.PlannedChanges;
import dev.netpol.resolver.PolicyEndpointPlanner;
import dev.netpol.resolver.PolicyKey;
import dev.netpol.resolver.ResolvedPolicy;
import dev.netpol.resolver.bench.SyntheticCluster;
import dev.netpol.resolver.internal.AffectedPolicies;
import dev.netpol.resolver.internal.ClusterIndex;
import dev.netpol.resolver.internal.PodInfo;
import dev.netpol.resolver.internal.PolicyParser;
import dev.netpol.resolver.internal.ResolutionEngine;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The controller's in-JVM work for one pod label change in a cluster of N pods and N/10 policies
 * ({@link SyntheticCluster}): index the pod, find the policies it can affect, resolve and plan them
 * again and diff against what is stored. The API writes are not included (see {@code
 * ControllerScaleBenchmark}). {@code canary}: the pod enters one policy's selection; {@code app}:
 * the pod moves to another app and Service. Each invocation applies or reverts the change.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class OneChangeBenchmark {
  @Param({"5000", "50000"})
  public int pods;

  ClusterIndex index;
  AffectedPolicies affected;
  final Map<PolicyKey, NetworkPolicy> policies = new HashMap<>();
  final Map<PolicyKey, List<PolicyEndpoint>> stored = new HashMap<>();
  final PolicyEndpointPlanner planner = new PolicyEndpointPlanner();
  PodInfo plain;
  PodInfo canary;
  PodInfo moved;
  boolean changed;

  @Setup(Level.Trial)
  public void setUp() {
    SyntheticCluster c = new SyntheticCluster(pods, pods / 10, 1000, 42);
    index = ClusterIndex.of(ClusterSnapshot.of(c.namespaceObjects, c.pods, c.services));
    affected = new AffectedPolicies(index);
    for (NetworkPolicy np : c.policies) {
      PolicyKey k = PolicyKey.of(np);
      policies.put(k, np);
      affected.policyChanged(np);
      stored.put(k, resolve(k));
    }
    Pod pod = c.changedPod();
    plain = PodInfo.of(pod);
    canary = PodInfo.of(SyntheticCluster.canaryChange(pod, "2"));
    moved = PodInfo.of(SyntheticCluster.appChange(pod, "2"));
  }

  /** Resolves and plans a policy, records its dependencies; the plan as the API would store it. */
  private List<PolicyEndpoint> resolve(PolicyKey k) {
    NetworkPolicy np = policies.get(k);
    ResolutionEngine e = new ResolutionEngine(index, PolicyParser.parse(np));
    ResolvedPolicy r = e.resolve();
    affected.resolved(k, np.getMetadata().getResourceVersion(), e.dependencies());
    return planner.plan(r);
  }

  private int change(PodInfo other) {
    PodInfo before = changed ? other : plain;
    PodInfo after = changed ? plain : other;
    changed = !changed;
    index.putPod(after);
    int writes = 0;
    for (PolicyKey k : affected.byPod(before, after)) {
      List<PolicyEndpoint> desired = resolve(k);
      PlannedChanges d = planner.diff(desired, stored.get(k));
      writes += d.create().size() + d.update().size() + d.delete().size();
      stored.put(k, desired);
    }
    return writes;
  }

  @Benchmark
  public int canary() {
    return change(canary);
  }

  @Benchmark
  public int app() {
    return change(moved);
  }
}
