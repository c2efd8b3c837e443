package dev.netpol.resolver;

import dev.netpol.api.model.PortRange;
import dev.netpol.policyendpoint.Chunk;
import dev.netpol.policyendpoint.EndpointEntry;
import dev.netpol.policyendpoint.EndpointPort;
import dev.netpol.policyendpoint.NodeLabels;
import dev.netpol.policyendpoint.PodSelectorEndpoint;
import dev.netpol.policyendpoint.PolicyEndpoint;
import dev.netpol.policyendpoint.PolicyEndpointSpec;
import dev.netpol.policyendpoint.PolicyRef;
import dev.netpol.resolver.internal.Addresses;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Turns a {@link ResolvedPolicy} into PolicyEndpoint objects and diffs them against the existing
 * ones. Deterministic: the same result always gives byte-identical objects, so re-planning an
 * unchanged policy plans no writes.
 *
 * <p>Two kinds of objects. <b>Rules chunks</b> {@code <policy>-<i>}: the isolation and slice {@code
 * i} (at most {@code chunkSize}) of the ingress and egress entries, all with the same generation (a
 * digest of the rules) and the labels of every node hosting a selected pod (an agent needs every
 * chunk of a policy that selects one of its pods). <b>Selections</b> {@code <policy>-n<hash of the
 * node>}: the selected pods on one node, labelled for that node only. A pod that comes or goes
 * changes its node's selection object and nothing else (unless it is also a peer, or the first or
 * last selected pod of its node); each agent receives only its own pods.
 */
public final class PolicyEndpointPlanner {
  public static final int DEFAULT_CHUNK_SIZE = 1000;
  public static final int DEFAULT_PER_NODE_ABOVE = 100;
  private static final int MAX_NAME = 253;

  private final int chunkSize;
  private final int perNodeAbove;

  public PolicyEndpointPlanner() {
    this(DEFAULT_CHUNK_SIZE);
  }

  public PolicyEndpointPlanner(int chunkSize) {
    this(chunkSize, DEFAULT_PER_NODE_ABOVE);
  }

  /**
   * @param perNodeAbove policies selecting more pods than this get one selection object per node
   *     (0: every policy; {@link Integer#MAX_VALUE}: none)
   */
  public PolicyEndpointPlanner(int chunkSize, int perNodeAbove) {
    if (chunkSize < 1) {
      throw new IllegalArgumentException("chunk size must be at least 1, got " + chunkSize);
    }
    if (perNodeAbove < 0) {
      throw new IllegalArgumentException("per-node threshold must not be negative");
    }
    this.chunkSize = chunkSize;
    this.perNodeAbove = perNodeAbove;
  }

  /**
   * The desired PolicyEndpoints of a policy: rules chunks by index, then selections by node (no
   * status, no change-seen annotation).
   */
  public List<PolicyEndpoint> plan(ResolvedPolicy r) {
    List<EndpointEntry> ingress = r.ingress().stream().map(PolicyEndpointPlanner::entry).toList();
    List<EndpointEntry> egress = r.egress().stream().map(PolicyEndpointPlanner::entry).toList();
    List<PodSelectorEndpoint> pods = new ArrayList<>();
    Map<String, List<PodSelectorEndpoint>> byNode = new TreeMap<>();
    for (SelectedPod p : r.selectedPods()) {
      PodSelectorEndpoint e =
          new PodSelectorEndpoint(
              p.namespace(),
              p.name(),
              p.nodeName(),
              p.ips().stream().map(PolicyEndpointPlanner::ip).toList());
      pods.add(e);
      if (p.nodeName() != null && !p.nodeName().isEmpty()) {
        byNode.computeIfAbsent(p.nodeName(), k -> new ArrayList<>()).add(e);
      }
    }
    boolean perNode = pods.size() > perNodeAbove;
    int longest = Math.max(perNode ? 0 : pods.size(), Math.max(ingress.size(), egress.size()));
    int count = Math.max(1, (longest + chunkSize - 1) / chunkSize);
    String generation = perNode ? generation(r) : sha256Hex(r.toString()).substring(0, 16);
    Map<String, String> labels = new TreeMap<>();
    byNode.keySet().forEach(n -> labels.put(NodeLabels.keyFor(n), ""));
    List<String> isolation = new ArrayList<>();
    if (r.ingressIsolated()) {
      isolation.add(PolicyEndpointSpec.INGRESS);
    }
    if (r.egressIsolated()) {
      isolation.add(PolicyEndpointSpec.EGRESS);
    }
    List<PolicyEndpoint> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      PolicyEndpoint pe = object(r, chunkName(r.policy().name(), i), labels);
      PolicyEndpointSpec spec = pe.getSpec();
      spec.setChunk(new Chunk(i, count, generation));
      spec.setPodIsolation(new ArrayList<>(isolation));
      if (!perNode) {
        spec.setPodSelectorEndpoints(new ArrayList<>(slice(pods, i)));
      }
      spec.setIngress(new ArrayList<>(slice(ingress, i)));
      spec.setEgress(new ArrayList<>(slice(egress, i)));
      out.add(pe);
    }
    if (!perNode) {
      return out;
    }
    for (var node : byNode.entrySet()) {
      PolicyEndpoint pe =
          object(
              r,
              selectionName(r.policy().name(), node.getKey()),
              new TreeMap<>(Map.of(NodeLabels.keyFor(node.getKey()), "")));
      pe.getSpec().setChunk(null);
      pe.getSpec().setNode(node.getKey());
      pe.getSpec().setPodSelectorEndpoints(new ArrayList<>(node.getValue()));
      out.add(pe);
    }
    return out;
  }

  private static PolicyEndpoint object(ResolvedPolicy r, String name, Map<String, String> labels) {
    PolicyEndpoint pe = new PolicyEndpoint();
    ObjectMeta md = pe.getMetadata();
    md.setNamespace(r.policy().namespace());
    md.setName(name);
    md.setLabels(new TreeMap<>(labels));
    if (r.uid() != null) {
      md.setOwnerReferences(List.of(ownerReference(r.policy().name(), r.uid())));
    }
    pe.getSpec().setPolicyRef(new PolicyRef(r.policy().namespace(), r.policy().name(), r.uid()));
    pe.getSpec().setPodIsolation(new ArrayList<>());
    pe.getSpec().setPodSelectorEndpoints(new ArrayList<>());
    pe.getSpec().setIngress(new ArrayList<>());
    pe.getSpec().setEgress(new ArrayList<>());
    pe.setStatus(null);
    return pe;
  }

  /** Writes that turn {@code existing} (all PEs of the policy) into {@code desired}. */
  public PlannedChanges diff(List<PolicyEndpoint> desired, Collection<PolicyEndpoint> existing) {
    Map<String, PolicyEndpoint> byName =
        existing.stream()
            .collect(
                Collectors.toMap(
                    p -> p.getMetadata().getName(),
                    Function.identity(),
                    (a, b) -> a,
                    TreeMap::new));
    List<PolicyEndpoint> create = new ArrayList<>();
    List<PolicyEndpoint> update = new ArrayList<>();
    List<PolicyEndpoint> unchanged = new ArrayList<>();
    for (PolicyEndpoint want : desired) {
      PolicyEndpoint have = byName.remove(want.getMetadata().getName());
      if (have == null) {
        create.add(want);
      } else if (sameContent(want, have)) {
        unchanged.add(have);
      } else {
        want.getMetadata().setResourceVersion(have.getMetadata().getResourceVersion());
        update.add(want);
      }
    }
    return new PlannedChanges(create, update, new ArrayList<>(byName.values()), unchanged);
  }

  /** Equal in everything the controller owns: spec, labels, owner references. */
  public static boolean sameContent(PolicyEndpoint want, PolicyEndpoint have) {
    return Objects.equals(want.getSpec(), have.getSpec())
        && Objects.equals(
            nonNull(want.getMetadata().getLabels()), nonNull(have.getMetadata().getLabels()))
        && Objects.equals(
            nonNullList(want.getMetadata().getOwnerReferences()),
            nonNullList(have.getMetadata().getOwnerReferences()));
  }

  private static Map<String, String> nonNull(Map<String, String> m) {
    return m == null ? Map.of() : m;
  }

  private static List<OwnerReference> nonNullList(List<OwnerReference> l) {
    return l == null ? List.of() : l;
  }

  /**
   * {@code <policy>-<index>}. Policy names that leave no room are cut and given a hash of the full
   * name, so different long names never share chunk names.
   */
  public static String chunkName(String policyName, int index) {
    String suffix = "-" + index;
    if (policyName.length() + suffix.length() <= MAX_NAME) {
      return policyName + suffix;
    }
    String hash = sha256Hex(policyName).substring(0, 10);
    String head =
        policyName
            .substring(0, MAX_NAME - suffix.length() - hash.length() - 1)
            .replaceAll("[^a-z0-9]+$", "");
    return head + "-" + hash + suffix;
  }

  /**
   * Name of the selection object of a policy on a node: {@code <policy>-n<12 hex of a digest of
   * policy and node>}. Its last part starts with a letter, so it never equals a rules chunk's name
   * (whose last part is the index), and the digest keeps policies and nodes apart.
   */
  public static String selectionName(String policyName, String node) {
    String suffix = "-n" + sha256Hex(policyName + "/" + node).substring(0, 12);
    if (policyName.length() + suffix.length() <= MAX_NAME) {
      return policyName + suffix;
    }
    return policyName.substring(0, MAX_NAME - suffix.length()).replaceAll("[^a-z0-9]+$", "")
        + suffix;
  }

  /**
   * Digest of the rules of a resolved result (isolation, entries; not the selected pods): the
   * generation of a policy whose selected pods live in selection objects.
   */
  public static String generation(ResolvedPolicy r) {
    return sha256Hex(
            r.policy()
                + "|"
                + r.uid()
                + "|"
                + r.ingressIsolated()
                + r.egressIsolated()
                + "|"
                + r.ingress()
                + "|"
                + r.egress())
        .substring(0, 16);
  }

  public static OwnerReference ownerReference(String policyName, String uid) {
    return new OwnerReferenceBuilder()
        .withApiVersion("networking.k8s.io/v1")
        .withKind("NetworkPolicy")
        .withName(policyName)
        .withUid(uid)
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  static EndpointEntry entry(ResolvedEntry e) {
    List<String> except = e.peer().except().stream().map(Addresses::format).toList();
    List<EndpointPort> ports =
        e.allPorts() ? null : e.ports().stream().map(PolicyEndpointPlanner::port).toList();
    List<String> targets = e.allTargets() ? null : e.targets();
    return new EndpointEntry(Addresses.format(e.peer().cidr()), except, ports, targets);
  }

  static EndpointPort port(PortRange r) {
    if (r.isAllPorts()) {
      return new EndpointPort(r.protocol().name(), null, null);
    }
    return new EndpointPort(
        r.protocol().name(), r.first(), r.first() == r.last() ? null : r.last());
  }

  static String ip(InetAddress a) {
    return Addresses.format(a);
  }

  private <T> List<T> slice(List<T> l, int i) {
    int from = Math.min(l.size(), i * chunkSize);
    return l.subList(from, Math.min(l.size(), from + chunkSize));
  }

  static String sha256Hex(String s) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
