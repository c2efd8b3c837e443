package dev.netpol.agent.internal;

import dev.netpol.api.PodKey;
import dev.netpol.api.model.Cidr;
import dev.netpol.api.model.DirectionPolicy;
import dev.netpol.api.model.ModelException;
import dev.netpol.api.model.Peer;
import dev.netpol.api.model.PodPolicy;
import dev.netpol.api.model.PortRange;
import dev.netpol.api.model.Protocol;
import dev.netpol.api.model.Rule;
import dev.netpol.policyendpoint.EndpointEntry;
import dev.netpol.policyendpoint.EndpointPort;
import dev.netpol.policyendpoint.PodSelectorEndpoint;
import dev.netpol.policyendpoint.PolicyEndpoint;
import dev.netpol.policyendpoint.PolicyEndpointSpec;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The complete desired state of one pod from the complete PolicyEndpoint chunk sets that the node
 * holds: the union of every policy that selects the pod, per direction. A pure function.
 */
final class DesiredStateCompiler {
  private static final Logger LOG = LoggerFactory.getLogger(DesiredStateCompiler.class);

  private DesiredStateCompiler() {}

  /**
   * @param policies one complete chunk list per policy
   * @param nodeAddresses always allowed in an isolated direction (kubelet probes)
   */
  static PodPolicy compile(
      PodKey pod,
      Collection<List<PolicyEndpoint>> policies,
      Set<InetAddress> nodeAddresses,
      AgentSettings.Mode mode) {
    boolean selected = false;
    boolean ingressIsolated = false;
    boolean egressIsolated = false;
    List<Rule> ingress = new ArrayList<>();
    List<Rule> egress = new ArrayList<>();
    for (List<PolicyEndpoint> chunks : policies) {
      if (!selects(chunks, pod)) {
        continue;
      }
      selected = true;
      PolicyEndpointSpec first = chunks.get(0).getSpec();
      String origin =
          first.getPolicyRef() == null
              ? chunks.get(0).getMetadata().getName()
              : first.getPolicyRef().getNamespace() + "/" + first.getPolicyRef().getName();
      ingressIsolated |= first.getPodIsolation().contains(PolicyEndpointSpec.INGRESS);
      egressIsolated |= first.getPodIsolation().contains(PolicyEndpointSpec.EGRESS);
      for (PolicyEndpoint pe : chunks) {
        addRules(pe, pe.getSpec().getIngress(), "ingress", pod, origin, ingress);
        addRules(pe, pe.getSpec().getEgress(), "egress", pod, origin, egress);
      }
    }
    if (!selected) {
      return mode == AgentSettings.Mode.STRICT
          ? withNode(PodPolicy.DENY_ALL, nodeAddresses)
          : PodPolicy.ALLOW_ALL;
    }
    return new PodPolicy(
        direction(ingressIsolated, ingress, nodeAddresses),
        direction(egressIsolated, egress, nodeAddresses));
  }

  /** The state before the pod's policies are known. */
  static PodPolicy beforeSync(AgentSettings.Mode mode, Set<InetAddress> nodeAddresses) {
    return mode == AgentSettings.Mode.STRICT
        ? withNode(PodPolicy.DENY_ALL, nodeAddresses)
        : PodPolicy.ALLOW_ALL;
  }

  private static PodPolicy withNode(PodPolicy p, Set<InetAddress> node) {
    return new PodPolicy(
        direction(p.ingress().isolated(), p.ingress().rules(), node),
        direction(p.egress().isolated(), p.egress().rules(), node));
  }

  private static DirectionPolicy direction(
      boolean isolated, List<Rule> rules, Set<InetAddress> nodeAddresses) {
    if (!isolated) {
      return DirectionPolicy.ALLOW_ALL;
    }
    List<Rule> all = new ArrayList<>(rules);
    if (!nodeAddresses.isEmpty()) {
      all.add(
          new Rule(
              nodeAddresses.stream()
                  .sorted(java.util.Comparator.comparing(InetAddress::getHostAddress))
                  .map(Peer::host)
                  .toList(),
              List.of(),
              "node"));
    }
    return new DirectionPolicy(true, all);
  }

  static boolean selects(List<PolicyEndpoint> chunks, PodKey pod) {
    for (PolicyEndpoint pe : chunks) {
      for (PodSelectorEndpoint e : pe.getSpec().getPodSelectorEndpoints()) {
        if (pod.namespace().equals(e.getNamespace()) && pod.name().equals(e.getName())) {
          return true;
        }
      }
    }
    return false;
  }

  private static void addRules(
      PolicyEndpoint pe,
      List<EndpointEntry> entries,
      String dir,
      PodKey pod,
      String origin,
      List<Rule> out) {
    if (entries == null) {
      return;
    }
    for (int i = 0; i < entries.size(); i++) {
      EndpointEntry e = entries.get(i);
      if (e.getTargets() != null && !e.getTargets().contains(pod.name())) {
        continue;
      }
      String field = "spec." + dir + "[" + i + "]";
      try {
        List<Cidr> except = new ArrayList<>();
        if (e.getExcept() != null) {
          for (int j = 0; j < e.getExcept().size(); j++) {
            except.add(Cidr.parse(e.getExcept().get(j), field + ".except[" + j + "]"));
          }
        }
        Peer peer = new Peer(Cidr.parse(e.getCidr(), field + ".cidr"), except);
        out.add(new Rule(List.of(peer), ports(e.getPorts(), field), origin));
      } catch (ModelException ex) {
        LOG.error(
            "policyendpoint {}/{}: {}; entry skipped",
            pe.getMetadata().getNamespace(),
            pe.getMetadata().getName(),
            ex.getMessage());
      }
    }
  }

  private static List<PortRange> ports(List<EndpointPort> ports, String field) {
    if (ports == null) {
      return List.of();
    }
    List<PortRange> out = new ArrayList<>();
    for (int k = 0; k < ports.size(); k++) {
      EndpointPort p = ports.get(k);
      Protocol proto = Protocol.parse(p.getProtocol(), field + ".ports[" + k + "].protocol");
      if (p.getPort() == null) {
        out.add(PortRange.allPorts(proto));
      } else {
        out.add(
            new PortRange(
                proto, p.getPort(), p.getEndPort() == null ? p.getPort() : p.getEndPort()));
      }
    }
    return out;
  }
}
