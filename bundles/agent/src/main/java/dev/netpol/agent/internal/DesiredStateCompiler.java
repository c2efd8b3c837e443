package dev.netpol.agent.internal;

import dev.netpol.api.PodKey;
import dev.netpol.api.model.DirectionPolicy;
import dev.netpol.api.model.Peer;
import dev.netpol.api.model.PodPolicy;
import dev.netpol.api.model.Rule;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * The complete desired state of one pod from the complete policy sets that select it: the union of
 * every such policy, per direction. A pure function.
 */
final class DesiredStateCompiler {
  private DesiredStateCompiler() {}

  /**
   * @param policies the complete policy sets that select {@code pod} (in a stable order)
   * @param nodeAddresses always allowed in an isolated direction (kubelet probes)
   */
  static PodPolicy compile(
      PodKey pod,
      Collection<PolicySet> policies,
      Set<InetAddress> nodeAddresses,
      AgentSettings.Mode mode) {
    if (policies.isEmpty()) {
      return beforeSync(mode, nodeAddresses);
    }
    boolean ingressIsolated = false;
    boolean egressIsolated = false;
    List<Rule> ingress = new ArrayList<>();
    List<Rule> egress = new ArrayList<>();
    for (PolicySet p : policies) {
      ingressIsolated |= p.ingressIsolated();
      egressIsolated |= p.egressIsolated();
      for (PolicySet.TargetedRule r : p.ingress()) {
        if (r.appliesTo(pod)) {
          ingress.add(r.rule());
        }
      }
      for (PolicySet.TargetedRule r : p.egress()) {
        if (r.appliesTo(pod)) {
          egress.add(r.rule());
        }
      }
    }
    return new PodPolicy(
        direction(ingressIsolated, ingress, nodeAddresses),
        direction(egressIsolated, egress, nodeAddresses));
  }

  /** The state of a pod no policy selects (and of every pod before its policies are known). */
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
                  .sorted(Comparator.comparing(InetAddress::getHostAddress))
                  .map(Peer::host)
                  .toList(),
              List.of(),
              "node"));
    }
    return new DirectionPolicy(true, all);
  }
}
