package dev.netpol.resolver.internal;

import dev.netpol.api.model.Cidr;
import dev.netpol.api.model.ModelException;
import dev.netpol.api.model.Peer;
import dev.netpol.api.model.PortRange;
import dev.netpol.api.model.Protocol;
import dev.netpol.resolver.internal.ParsedPolicy.ParsedPeer;
import dev.netpol.resolver.internal.ParsedPolicy.ParsedPort;
import dev.netpol.resolver.internal.ParsedPolicy.ParsedRule;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.networking.v1.IPBlock;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Validates a NetworkPolicy the way the API server would and turns it into a {@link ParsedPolicy}.
 * Throws {@link ModelException} naming the JSON path of the first bad field.
 */
public final class PolicyParser {
  /** IANA_SVC_NAME, as Kubernetes validates container port names. */
  private static final Pattern PORT_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?");

  private PolicyParser() {}

  public static ParsedPolicy parse(NetworkPolicy policy) {
    NetworkPolicySpec spec = policy.getSpec();
    if (spec == null) {
      throw new ModelException("spec", "spec is missing");
    }
    Selector podSelector = Selector.parse(spec.getPodSelector(), "spec.podSelector");
    boolean hasEgressRules = spec.getEgress() != null && !spec.getEgress().isEmpty();
    boolean ingressType;
    boolean egressType;
    List<String> types = spec.getPolicyTypes();
    if (types == null || types.isEmpty()) {
      // API server defaulting: Ingress always, Egress only if egress rules are present
      ingressType = true;
      egressType = hasEgressRules;
    } else {
      ingressType = false;
      egressType = false;
      for (int i = 0; i < types.size(); i++) {
        String t = types.get(i);
        if ("Ingress".equals(t)) {
          ingressType = true;
        } else if ("Egress".equals(t)) {
          egressType = true;
        } else {
          throw new ModelException(
              "spec.policyTypes[" + i + "]", "unknown policy type '" + t + "' (Ingress or Egress)");
        }
      }
    }
    List<ParsedRule> ingress = new ArrayList<>();
    if (spec.getIngress() != null) {
      for (int i = 0; i < spec.getIngress().size(); i++) {
        var r = spec.getIngress().get(i);
        if (r == null) {
          throw new ModelException("spec.ingress[" + i + "]", "rule is null");
        }
        ingress.add(rule("spec.ingress[" + i + "]", "from", r.getFrom(), r.getPorts()));
      }
    }
    List<ParsedRule> egress = new ArrayList<>();
    if (spec.getEgress() != null) {
      for (int i = 0; i < spec.getEgress().size(); i++) {
        var r = spec.getEgress().get(i);
        if (r == null) {
          throw new ModelException("spec.egress[" + i + "]", "rule is null");
        }
        egress.add(rule("spec.egress[" + i + "]", "to", r.getTo(), r.getPorts()));
      }
    }
    var md = policy.getMetadata();
    // rules of a direction the policy does not isolate are validated but have no effect
    return new ParsedPolicy(
        md.getNamespace(),
        md.getName(),
        md.getUid(),
        podSelector,
        ingressType,
        egressType,
        ingressType ? ingress : List.of(),
        egressType ? egress : List.of());
  }

  private static ParsedRule rule(
      String field,
      String peersName,
      List<NetworkPolicyPeer> peers,
      List<NetworkPolicyPort> ports) {
    List<ParsedPeer> parsedPeers = new ArrayList<>();
    if (peers != null) {
      for (int j = 0; j < peers.size(); j++) {
        parsedPeers.add(peer(field + "." + peersName + "[" + j + "]", peers.get(j)));
      }
    }
    List<ParsedPort> parsedPorts = new ArrayList<>();
    if (ports != null) {
      for (int k = 0; k < ports.size(); k++) {
        parsedPorts.add(port(field + ".ports[" + k + "]", ports.get(k)));
      }
    }
    return new ParsedRule(
        parsedPeers.isEmpty(),
        List.copyOf(parsedPeers),
        parsedPorts.isEmpty(),
        List.copyOf(parsedPorts));
  }

  private static ParsedPeer peer(String field, NetworkPolicyPeer p) {
    if (p == null
        || (p.getIpBlock() == null
            && p.getPodSelector() == null
            && p.getNamespaceSelector() == null)) {
      throw new ModelException(
          field, "must specify a peer (podSelector, namespaceSelector or ipBlock)");
    }
    if (p.getIpBlock() != null) {
      if (p.getPodSelector() != null || p.getNamespaceSelector() != null) {
        throw new ModelException(
            field, "ipBlock may not be combined with podSelector or namespaceSelector");
      }
      return new ParsedPeer(ipBlock(field + ".ipBlock", p.getIpBlock()), null, null);
    }
    Selector ns =
        p.getNamespaceSelector() == null
            ? null
            : Selector.parse(p.getNamespaceSelector(), field + ".namespaceSelector");
    Selector pods = Selector.parse(p.getPodSelector(), field + ".podSelector");
    return new ParsedPeer(null, ns, pods);
  }

  private static Peer ipBlock(String field, IPBlock block) {
    Cidr cidr = Cidr.parse(block.getCidr(), field + ".cidr");
    List<Cidr> except = new ArrayList<>();
    List<String> raw = block.getExcept() == null ? List.of() : block.getExcept();
    for (int k = 0; k < raw.size(); k++) {
      String f = field + ".except[" + k + "]";
      Cidr e = Cidr.parse(raw.get(k), f);
      if (!cidr.contains(e) || e.prefixLength() == cidr.prefixLength()) {
        throw new ModelException(f, e + " must be a strict subset of " + cidr);
      }
      except.add(e);
    }
    return new Peer(cidr, except);
  }

  private static ParsedPort port(String field, NetworkPolicyPort p) {
    if (p == null) {
      throw new ModelException(field, "port is null");
    }
    Protocol protocol = Protocol.parse(p.getProtocol(), field + ".protocol");
    IntOrString port = p.getPort();
    Integer endPort = p.getEndPort();
    if (port == null || (port.getIntVal() == null && port.getStrVal() == null)) {
      if (endPort != null) {
        throw new ModelException(field + ".endPort", "may not be set without a numeric port");
      }
      return new ParsedPort(protocol, 0, PortRange.MAX_PORT, null);
    }
    if (port.getIntVal() == null) {
      String name = port.getStrVal();
      if (name.length() > 15
          || !PORT_NAME.matcher(name).matches()
          || !name.matches(".*[a-z].*")
          || name.contains("--")) {
        throw new ModelException(
            field + ".port",
            "'" + name + "' is neither a port number nor a valid port name (IANA_SVC_NAME)");
      }
      if (endPort != null) {
        throw new ModelException(field + ".endPort", "may not be set with a named port");
      }
      return new ParsedPort(protocol, 0, 0, name);
    }
    int first = port.getIntVal();
    if (first < 1 || first > PortRange.MAX_PORT) {
      throw new ModelException(field + ".port", "port " + first + " is outside 1..65535");
    }
    int last = first;
    if (endPort != null) {
      if (endPort < first || endPort > PortRange.MAX_PORT) {
        throw new ModelException(
            field + ".endPort", "endPort " + endPort + " must be within " + first + "..65535");
      }
      last = endPort;
    }
    return new ParsedPort(protocol, first, last, null);
  }
}
