package dev.netpol.resolver.bench;

import dev.netpol.api.model.PortRange;
import dev.netpol.policyendpoint.Chunk;
import dev.netpol.policyendpoint.EndpointEntry;
import dev.netpol.policyendpoint.EndpointPort;
import dev.netpol.policyendpoint.NodeLabels;
import dev.netpol.policyendpoint.PodSelectorEndpoint;
import dev.netpol.policyendpoint.PolicyEndpoint;
import dev.netpol.policyendpoint.PolicyEndpointSpec;
import dev.netpol.policyendpoint.PolicyRef;
import dev.netpol.resolver.PlannedChanges;
import dev.netpol.resolver.ResolvedEntry;
import dev.netpol.resolver.ResolvedPolicy;
import dev.netpol.resolver.SelectedPod;
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
 * The PolicyEndpoint layout before the split of selection from rules, kept to measure against
 * ({@link LayoutSizes}): every chunk carries the selected pods of its slice and the labels of every
 * node hosting a selected pod; the generation covers everything.
 *
 * <p>(Was: Turns a {@link ResolvedPolicy} into PolicyEndpoint objects and diffs them against the
 * existing ones.) Deterministic: the same result always gives byte-identical objects, so
 * re-planning an unchanged policy plans no writes.
 *
 * <p>Chunking: each of podSelectorEndpoints, ingress and egress is cut into slices of at most
 * {@code chunkSize}; chunk {@code i} carries slice {@code i} of every list, and all chunks carry
 * the isolation, the policy reference, the same generation digest and the same node labels (the
 * nodes of all selected pods, so an agent that needs a policy sees every chunk of it).
 */
public final class LegacyLayout {
  public static final int DEFAULT_CHUNK_SIZE = 1000;
  private static final int MAX_NAME = 253;

  private final int chunkSize;

  public LegacyLayout(int chunkSize) {
    if (chunkSize < 1) {
      throw new IllegalArgumentException("chunk size must be at least 1, got " + chunkSize);
    }
    this.chunkSize = chunkSize;
  }

  /** The desired PolicyEndpoints of a policy (no status, no change-seen annotation). */
  public List<PolicyEndpoint> plan(ResolvedPolicy r) {
    List<PodSelectorEndpoint> pods =
        r.selectedPods().stream()
            .map(
                p ->
                    new PodSelectorEndpoint(
                        p.namespace(),
                        p.name(),
                        p.nodeName(),
                        p.ips().stream().map(LegacyLayout::ip).toList()))
            .toList();
    List<EndpointEntry> ingress = r.ingress().stream().map(LegacyLayout::entry).toList();
    List<EndpointEntry> egress = r.egress().stream().map(LegacyLayout::entry).toList();
    int longest = Math.max(pods.size(), Math.max(ingress.size(), egress.size()));
    int count = Math.max(1, (longest + chunkSize - 1) / chunkSize);
    String generation = generation(r);
    Map<String, String> labels = new TreeMap<>();
    for (SelectedPod p : r.selectedPods()) {
      if (p.nodeName() != null && !p.nodeName().isEmpty()) {
        labels.put(NodeLabels.keyFor(p.nodeName()), "");
      }
    }
    List<String> isolation = new ArrayList<>();
    if (r.ingressIsolated()) {
      isolation.add(PolicyEndpointSpec.INGRESS);
    }
    if (r.egressIsolated()) {
      isolation.add(PolicyEndpointSpec.EGRESS);
    }
    List<PolicyEndpoint> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      PolicyEndpoint pe = new PolicyEndpoint();
      ObjectMeta md = pe.getMetadata();
      md.setNamespace(r.policy().namespace());
      md.setName(chunkName(r.policy().name(), i));
      md.setLabels(new TreeMap<>(labels));
      if (r.uid() != null) {
        md.setOwnerReferences(List.of(ownerReference(r.policy().name(), r.uid())));
      }
      PolicyEndpointSpec spec = pe.getSpec();
      spec.setPolicyRef(new PolicyRef(r.policy().namespace(), r.policy().name(), r.uid()));
      spec.setChunk(new Chunk(i, count, generation));
      spec.setPodIsolation(new ArrayList<>(isolation));
      spec.setPodSelectorEndpoints(new ArrayList<>(slice(pods, i)));
      spec.setIngress(new ArrayList<>(slice(ingress, i)));
      spec.setEgress(new ArrayList<>(slice(egress, i)));
      pe.setStatus(null);
      out.add(pe);
    }
    return out;
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

  /** Digest of the whole resolved result: equal results, equal generation. */
  public static String generation(ResolvedPolicy r) {
    return sha256Hex(r.toString()).substring(0, 16);
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
        e.allPorts() ? null : e.ports().stream().map(LegacyLayout::port).toList();
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
