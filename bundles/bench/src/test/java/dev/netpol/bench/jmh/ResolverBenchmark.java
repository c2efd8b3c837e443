package dev.netpol.bench.jmh;

import dev.netpol.resolver.ClusterSnapshot;
import dev.netpol.resolver.PolicyResolver;
import dev.netpol.resolver.Resolution;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The controller's resolution of one policy (what one change costs per affected policy) in a
 * cluster of N pods over 50 namespaces, the shape of {@code bench scale}: it selects one app's pods
 * in its namespace and admits one tier of its own and the next namespace on a named port.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ResolverBenchmark {
  @Param({"5000", "50000"})
  public int pods;

  ClusterSnapshot state;
  NetworkPolicy policy;
  final PolicyResolver resolver = new PolicyResolver();

  @Setup
  public void setUp() {
    int nss = 50;
    List<Namespace> namespaces = new ArrayList<>();
    for (int k = 0; k < nss; k++) {
      namespaces.add(
          new NamespaceBuilder()
              .withNewMetadata()
              .withName("s" + k)
              .addToLabels("kubernetes.io/metadata.name", "s" + k)
              .endMetadata()
              .build());
    }
    List<Pod> ps = new ArrayList<>();
    for (int i = 0; i < pods; i++) {
      String ip = "10." + ((i >> 16) & 0xff) + "." + ((i >> 8) & 0xff) + "." + (i & 0xff);
      ps.add(
          new PodBuilder()
              .withNewMetadata()
              .withName("p" + i)
              .withNamespace("s" + (i % nss))
              .addToLabels("app", "a" + ((i / nss) % 100))
              .addToLabels("tier", "t" + (i % 10))
              .endMetadata()
              .withNewSpec()
              .withNodeName("n" + (i % 1000))
              .addNewContainer()
              .withName("c")
              .addNewPort()
              .withName("http")
              .withContainerPort(8080)
              .endPort()
              .endContainer()
              .endSpec()
              .withNewStatus()
              .withPhase("Running")
              .withPodIP(ip)
              .addNewPodIP()
              .withIp(ip)
              .endPodIP()
              .endStatus()
              .build());
    }
    state = ClusterSnapshot.of(namespaces, ps, List.of());
    policy =
        new NetworkPolicyBuilder()
            .withNewMetadata()
            .withName("pol-0")
            .withNamespace("s0")
            .endMetadata()
            .withNewSpec()
            .withNewPodSelector()
            .addToMatchLabels("app", "a0")
            .endPodSelector()
            .withPolicyTypes("Ingress")
            .addNewIngress()
            .addNewFrom()
            .withNewPodSelector()
            .addToMatchLabels("tier", "t0")
            .endPodSelector()
            .endFrom()
            .addNewFrom()
            .withNewNamespaceSelector()
            .addToMatchLabels("kubernetes.io/metadata.name", "s1")
            .endNamespaceSelector()
            .withNewPodSelector()
            .addToMatchLabels("tier", "t0")
            .endPodSelector()
            .endFrom()
            .addNewPort()
            .withNewPort("http")
            .endPort()
            .addNewPort()
            .withNewPort(443)
            .endPort()
            .endIngress()
            .endSpec()
            .build();
  }

  @Benchmark
  public Resolution resolveOnePolicy() {
    return resolver.resolve(state, policy);
  }
}
