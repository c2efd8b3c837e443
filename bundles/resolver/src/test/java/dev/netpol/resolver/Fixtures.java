package dev.netpol.resolver;

import dev.netpol.policyendpoint.EndpointEntry;
import dev.netpol.policyendpoint.PolicyEndpoint;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Builders for cluster objects and a compact rendering of PolicyEndpoints for assertions. */
final class Fixtures {
  private Fixtures() {}

  static Map<String, String> labels(String... kv) {
    Map<String, String> m = new HashMap<>();
    for (String s : kv) {
      int eq = s.indexOf('=');
      m.put(s.substring(0, eq), s.substring(eq + 1));
    }
    return m;
  }

  static Namespace ns(String name, String... labels) {
    Map<String, String> l = labels(labels);
    l.put("kubernetes.io/metadata.name", name);
    return new NamespaceBuilder()
        .withNewMetadata()
        .withName(name)
        .withLabels(l)
        .endMetadata()
        .build();
  }

  /** A running pod; {@code ports} like "serve-80-tcp:80/TCP". */
  static PodSpecBuilder pod(String ns, String name) {
    return new PodSpecBuilder(ns, name);
  }

  static final class PodSpecBuilder {
    final String ns;
    final String name;
    String node = "node-1";
    String phase = "Running";
    boolean hostNetwork;
    List<String> ips = new ArrayList<>();
    Map<String, String> labels = new HashMap<>();
    List<ContainerPort> ports = new ArrayList<>();

    PodSpecBuilder(String ns, String name) {
      this.ns = ns;
      this.name = name;
    }

    PodSpecBuilder labels(String... kv) {
      labels.putAll(Fixtures.labels(kv));
      return this;
    }

    PodSpecBuilder ips(String... ips) {
      this.ips.addAll(Arrays.asList(ips));
      return this;
    }

    PodSpecBuilder node(String node) {
      this.node = node;
      return this;
    }

    PodSpecBuilder phase(String phase) {
      this.phase = phase;
      return this;
    }

    PodSpecBuilder hostNetwork() {
      this.hostNetwork = true;
      return this;
    }

    PodSpecBuilder port(String name, int number, String protocol) {
      ports.add(
          new ContainerPortBuilder()
              .withName(name)
              .withContainerPort(number)
              .withProtocol(protocol)
              .build());
      return this;
    }

    Pod build() {
      return new PodBuilder()
          .withNewMetadata()
          .withNamespace(ns)
          .withName(name)
          .withLabels(labels)
          .withUid(ns + "-" + name)
          .endMetadata()
          .withNewSpec()
          .withNodeName(node)
          .withHostNetwork(hostNetwork)
          .addNewContainer()
          .withName("c")
          .withImage("i")
          .withPorts(ports)
          .endContainer()
          .endSpec()
          .withNewStatus()
          .withPhase(phase)
          .withPodIP(ips.isEmpty() ? null : ips.get(0))
          .withPodIPs(ips.stream().map(PodIP::new).toList())
          .endStatus()
          .build();
    }
  }

  /** A ClusterIP Service; ports like "80:8080/TCP" or "80:http/TCP" (target after the colon). */
  static Service svc(
      String ns, String name, String clusterIp, Map<String, String> selector, String... ports) {
    ServiceBuilder b =
        new ServiceBuilder()
            .withNewMetadata()
            .withNamespace(ns)
            .withName(name)
            .endMetadata()
            .withNewSpec()
            .withType("ClusterIP")
            .withClusterIP(clusterIp)
            .withClusterIPs(clusterIp)
            .withSelector(selector)
            .endSpec();
    for (String p : ports) {
      String[] a = p.split("[:/]");
      IntOrString target =
          a[1].matches("\\d+") ? new IntOrString(Integer.parseInt(a[1])) : new IntOrString(a[1]);
      b.editSpec()
          .addToPorts(
              new ServicePortBuilder()
                  .withPort(Integer.parseInt(a[0]))
                  .withTargetPort(target)
                  .withProtocol(a[2])
                  .build())
          .endSpec();
    }
    return b.build();
  }

  static NetworkPolicy policy(String yaml) {
    return Serialization.unmarshal(yaml, NetworkPolicy.class);
  }

  /**
   * One line per fact of the PEs, in a fixed order whatever the layout: "isolation [Ingress]" of
   * the rules chunks, "pod x/a@node-1 [ip]" of every object, then "ingress 1.2.3.4/32
   * ports=[TCP/80]" and egress entries.
   */
  static List<String> render(List<PolicyEndpoint> pes) {
    List<String> out = new ArrayList<>();
    for (PolicyEndpoint pe : pes) {
      if (!dev.netpol.policyendpoint.ChunkSet.isSelection(pe)) {
        out.add("isolation " + pe.getSpec().getPodIsolation());
      }
    }
    List<String> pods = new ArrayList<>();
    for (PolicyEndpoint pe : pes) {
      pe.getSpec()
          .getPodSelectorEndpoints()
          .forEach(
              p ->
                  pods.add(
                      "pod "
                          + p.getNamespace()
                          + "/"
                          + p.getName()
                          + "@"
                          + p.getNodeName()
                          + " "
                          + p.getPodIPs()));
    }
    pods.sort(null);
    out.addAll(pods);
    pes.forEach(pe -> pe.getSpec().getIngress().forEach(e -> out.add("ingress " + entry(e))));
    pes.forEach(pe -> pe.getSpec().getEgress().forEach(e -> out.add("egress " + entry(e))));
    return out.stream().distinct().toList();
  }

  static String entry(EndpointEntry e) {
    return e.getCidr()
        + (e.getExcept() == null ? "" : " except " + e.getExcept())
        + (e.getPorts() == null ? " all" : " " + e.getPorts())
        + (e.getTargets() == null ? "" : " targets " + e.getTargets());
  }
}
