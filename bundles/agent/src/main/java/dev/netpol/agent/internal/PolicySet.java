package dev.netpol.agent.internal;

import com.google.common.collect.Interner;
import com.google.common.collect.Interners;
import dev.netpol.api.PodKey;
import dev.netpol.api.model.Cidr;
import dev.netpol.api.model.ModelException;
import dev.netpol.api.model.Peer;
import dev.netpol.api.model.PortRange;
import dev.netpol.api.model.Protocol;
import dev.netpol.api.model.Rule;
import dev.netpol.policyendpoint.ChunkSet;
import dev.netpol.policyendpoint.EndpointEntry;
import dev.netpol.policyendpoint.EndpointPort;
import dev.netpol.policyendpoint.PodSelectorEndpoint;
import dev.netpol.policyendpoint.PolicyEndpoint;
import dev.netpol.policyendpoint.PolicyEndpointSpec;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One complete chunk set of one policy (chunks {@code 0..count-1} of one generation), parsed once
 * into rules: every pod it selects reuses them. Immutable.
 *
 * @param localPods the selected pods on this node
 * @param changeSeenAt the latest {@code change-seen-at} annotation of its chunks, or null
 */
record PolicySet(
    PolicyId id,
    String generation,
    List<PolicyEndpoint> chunks,
    boolean ingressIsolated,
    boolean egressIsolated,
    List<TargetedRule> ingress,
    List<TargetedRule> egress,
    Set<PodKey> localPods,
    Instant changeSeenAt) {
  private static final Logger LOG = LoggerFactory.getLogger(PolicySet.class);

  /**
   * Peers and port lists are shared between rules: a node's policies name the same few hundred pod
   * addresses and ports thousands of times (held weakly: what no policy names any more goes).
   */
  private static final Interner<Peer> PEERS = Interners.newWeakInterner();

  private static final Interner<List<PortRange>> PORTS = Interners.newWeakInterner();

  /** A policy's identity: its namespace and name ({@code spec.policyRef}). */
  record PolicyId(String namespace, String name) implements Comparable<PolicyId> {
    static PolicyId of(PolicyEndpoint pe) {
      PolicyEndpointSpec s = pe.getSpec();
      if (s == null || s.getPolicyRef() == null || s.getPolicyRef().getName() == null) {
        return null;
      }
      String ns =
          s.getPolicyRef().getNamespace() != null
              ? s.getPolicyRef().getNamespace()
              : pe.getMetadata().getNamespace();
      return new PolicyId(ns, s.getPolicyRef().getName());
    }

    @Override
    public int compareTo(PolicyId o) {
      int c = namespace.compareTo(o.namespace);
      return c != 0 ? c : name.compareTo(o.name);
    }

    @Override
    public String toString() {
      return namespace + "/" + name;
    }
  }

  /** A rule and the selected pods it applies to ({@code null}: all of them). */
  record TargetedRule(Rule rule, Set<String> targets) {
    boolean appliesTo(PodKey pod) {
      return targets == null || targets.contains(pod.name());
    }
  }

  /** Parses a complete chunk list (sorted by index); entries that do not parse are logged once. */
  static PolicySet of(PolicyId id, List<PolicyEndpoint> chunks, String node) {
    PolicyEndpointSpec first = chunks.get(0).getSpec();
    List<String> isolation = first.getPodIsolation() == null ? List.of() : first.getPodIsolation();
    List<TargetedRule> ingress = new ArrayList<>();
    List<TargetedRule> egress = new ArrayList<>();
    Set<PodKey> local = new LinkedHashSet<>();
    Instant seen = null;
    for (PolicyEndpoint pe : chunks) {
      PolicyEndpointSpec s = pe.getSpec();
      rules(pe, s.getIngress(), "ingress", id, ingress);
      rules(pe, s.getEgress(), "egress", id, egress);
      if (s.getPodSelectorEndpoints() != null) {
        for (PodSelectorEndpoint e : s.getPodSelectorEndpoints()) {
          if (node.equals(e.getNodeName()) && e.getNamespace() != null && e.getName() != null) {
            local.add(new PodKey(e.getNamespace(), e.getName()));
          }
        }
      }
      Instant t = changeSeenAt(pe);
      if (t != null && (seen == null || t.isAfter(seen))) {
        seen = t;
      }
    }
    return new PolicySet(
        id,
        ChunkSet.generation(chunks),
        List.copyOf(chunks),
        isolation.contains(PolicyEndpointSpec.INGRESS),
        isolation.contains(PolicyEndpointSpec.EGRESS),
        List.copyOf(ingress),
        List.copyOf(egress),
        Set.copyOf(local),
        seen);
  }

  /** Names of the chunk objects, in index order. */
  List<String> chunkNames() {
    return chunks.stream().map(pe -> pe.getMetadata().getName()).toList();
  }

  private static Instant changeSeenAt(PolicyEndpoint pe) {
    var ann = pe.getMetadata().getAnnotations();
    String v = ann == null ? null : ann.get(PolicyEndpoint.CHANGE_SEEN_AT);
    if (v == null) {
      return null;
    }
    try {
      return Instant.parse(v);
    } catch (DateTimeParseException e) {
      LOG.warn(
          "policyendpoint {}/{}: annotation {} is not a timestamp: {}",
          pe.getMetadata().getNamespace(),
          pe.getMetadata().getName(),
          PolicyEndpoint.CHANGE_SEEN_AT,
          v);
      return null;
    }
  }

  private static void rules(
      PolicyEndpoint pe,
      List<EndpointEntry> entries,
      String dir,
      PolicyId origin,
      List<TargetedRule> out) {
    if (entries == null) {
      return;
    }
    String originName = origin.toString();
    for (int i = 0; i < entries.size(); i++) {
      EndpointEntry e = entries.get(i);
      String field = "spec." + dir + "[" + i + "]";
      try {
        List<Cidr> except = new ArrayList<>();
        if (e.getExcept() != null) {
          for (int j = 0; j < e.getExcept().size(); j++) {
            except.add(Cidr.parse(e.getExcept().get(j), field + ".except[" + j + "]"));
          }
        }
        Peer peer = PEERS.intern(new Peer(Cidr.parse(e.getCidr(), field + ".cidr"), except));
        Rule rule =
            new Rule(
                List.of(peer), PORTS.intern(List.copyOf(ports(e.getPorts(), field))), originName);
        out.add(new TargetedRule(rule, e.getTargets() == null ? null : Set.copyOf(e.getTargets())));
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
