package dev.netpol.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.netpol.resolver.internal.AffectedPolicies;
import dev.netpol.resolver.internal.ClusterIndex;
import dev.netpol.resolver.internal.PodInfo;
import dev.netpol.resolver.internal.PolicyParser;
import dev.netpol.resolver.internal.ResolutionEngine;
import dev.netpol.resolver.internal.ServiceInfo;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The controller re-resolves only the policies a change marks ({@link AffectedPolicies}). Random
 * clusters take random changes (pods replaced with new labels, addresses, phases and ports, added,
 * deleted; namespaces relabelled; Services changed, added, deleted); after each, re-resolving the
 * marked policies must leave every policy's result equal to resolving it from scratch. Rerun one
 * case with {@code -Dnetpol.incremental.seed=<seed> -Dnetpol.incremental.cases=1}.
 */
class IncrementalTest {
  long changes;
  long marked;
  long changedResults;

  @Test
  void reResolvingTheMarkedPoliciesIsEnoughAfterEveryChange() {
    long base = Long.getLong("netpol.incremental.seed", System.nanoTime());
    int cases = Integer.getInteger("netpol.incremental.cases", 1500);
    for (int i = 0; i < cases; i++) {
      long seed = base + i;
      try {
        runCase(seed);
      } catch (AssertionError | RuntimeException e) {
        fail(
            "incremental case failed, rerun with -Dnetpol.incremental.seed="
                + seed
                + " -Dnetpol.incremental.cases=1: "
                + e.getMessage(),
            e);
      }
    }
    System.out.printf(
        "incremental: %d cases from seed %d, %d changes, %d policies marked, %d of them changed%n",
        cases, base, changes, marked, changedResults);
    assertTrue(changedResults > cases, "too few changes that mattered: " + changedResults);
  }

  void runCase(long seed) {
    RandomCluster c = new RandomCluster(seed);
    ClusterIndex index = ClusterIndex.of(ClusterSnapshot.of(c.namespaces, c.pods, c.services));
    AffectedPolicies affected = new AffectedPolicies(index);
    c.policies.forEach(affected::policyChanged);
    Map<PolicyKey, ResolvedPolicy> results = new HashMap<>();
    for (NetworkPolicy np : c.policies) {
      results.put(PolicyKey.of(np), resolve(index, affected, np));
    }
    List<Pod> pods = new ArrayList<>(c.pods);
    List<Service> services = new ArrayList<>(c.services);
    int added = 0;
    for (int step = 0; step < 15; step++) {
      String what;
      List<PolicyKey> marks;
      int kind = c.rnd.nextInt(12);
      if (kind < 6 && !pods.isEmpty()) {
        int i = c.rnd.nextInt(pods.size());
        Pod old = pods.get(i);
        int n = Integer.parseInt(old.getMetadata().getNamespace().substring(2));
        Pod now = c.pod(n, Integer.parseInt(old.getMetadata().getName().substring(1)));
        pods.set(i, now);
        what = "replace pod " + key(old);
        PodInfo after = PodInfo.of(now);
        marks = affected.byPod(index.putPod(after), after);
      } else if (kind == 6 && !pods.isEmpty()) {
        Pod old = pods.remove(c.rnd.nextInt(pods.size()));
        what = "delete pod " + key(old);
        marks =
            affected.byPod(
                index.removePod(old.getMetadata().getNamespace(), old.getMetadata().getName()),
                null);
      } else if (kind == 7) {
        Pod now = c.pod(c.rnd.nextInt(c.namespaces.size()), 100 + added++);
        pods.add(now);
        what = "add pod " + key(now);
        PodInfo after = PodInfo.of(now);
        marks = affected.byPod(index.putPod(after), after);
      } else if (kind == 8) {
        int n = c.rnd.nextInt(c.namespaces.size());
        Namespace ns =
            c.rnd.nextBoolean()
                ? Fixtures.ns("ns" + n, "team=" + c.pick("a", "b"))
                : Fixtures.ns("ns" + n);
        what = "relabel namespace ns" + n + " " + ns.getMetadata().getLabels();
        marks = affected.byNamespace(index.putNamespace(ns), ResolutionEngine.namespaceLabels(ns));
      } else {
        int n = c.rnd.nextInt(c.namespaces.size());
        String name = "s" + c.rnd.nextInt(4);
        if (c.rnd.nextInt(4) == 0) {
          what = "delete service ns" + n + "/" + name;
          services.removeIf(s -> key(s).equals("ns" + n + "/" + name));
          marks = affected.byService(index.removeService("ns" + n, name), null);
        } else {
          Service svc =
              Fixtures.svc(
                  "ns" + n,
                  name,
                  "198.19.201." + (n * 10 + name.charAt(1) - '0' + 1),
                  Map.of("app", c.pick(RandomCluster.APPS)),
                  "80:" + c.pick("80", "8080", "http") + "/TCP",
                  "53:dns/UDP");
          what = "put service " + key(svc) + " " + svc.getSpec().getSelector();
          services.removeIf(s -> key(s).equals(key(svc)));
          services.add(svc);
          marks = affected.byService(index.putService(svc), ServiceInfo.of(svc));
        }
      }
      changes++;
      marked += marks.size();
      for (PolicyKey k : marks) {
        NetworkPolicy np = policy(c, k);
        if (np != null) {
          ResolvedPolicy r = resolve(index, affected, np);
          if (!r.equals(results.put(k, r))) {
            changedResults++;
          }
        }
      }
      for (NetworkPolicy np : c.policies) {
        ResolvedPolicy fresh = resolve(index, affected, np);
        ResolvedPolicy held = results.get(PolicyKey.of(np));
        if (!fresh.equals(held)) {
          assertEquals(
              String.valueOf(fresh),
              String.valueOf(held),
              "after '" + what + "' policy " + PolicyKey.of(np) + " changed but was not marked");
        }
      }
    }
  }

  private static ResolvedPolicy resolve(
      ClusterIndex index, AffectedPolicies affected, NetworkPolicy np) {
    ResolutionEngine e = new ResolutionEngine(index, PolicyParser.parse(np));
    ResolvedPolicy r = e.resolve();
    affected.resolved(PolicyKey.of(np), np.getMetadata().getResourceVersion(), e.dependencies());
    return r;
  }

  private static NetworkPolicy policy(RandomCluster c, PolicyKey k) {
    return c.policies.stream().filter(p -> PolicyKey.of(p).equals(k)).findFirst().orElse(null);
  }

  private static String key(io.fabric8.kubernetes.api.model.HasMetadata o) {
    return o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
  }
}
