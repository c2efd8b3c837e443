package dev.netpol.policyendpoint;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Agent-side helper: decides whether the objects held for one policy form a complete result. The
 * controller writes a policy's rules chunks one by one, so between writes an agent can hold a mix
 * of old and new chunks; applying that mix would enforce a policy that never existed. Selection
 * objects ({@code spec.node} set, no {@code chunk}) stand alone: each is one write.
 */
public final class ChunkSet {
  private ChunkSet() {}

  /** A selection object: one node's selected pods of a policy, no rules. */
  public static boolean isSelection(PolicyEndpoint pe) {
    return pe.getSpec() != null
        && pe.getSpec().getChunk() == null
        && pe.getSpec().getNode() != null;
  }

  /**
   * Given the PolicyEndpoints an agent holds for one policy (any order, possibly stale extra
   * chunks), returns rules chunks {@code 0..count-1} of one generation sorted by index, followed by
   * the selection objects held (sorted by name); or empty if no generation of rules is complete.
   * Names are deterministic per index, so at most one generation can be complete at a time.
   */
  public static Optional<List<PolicyEndpoint>> complete(Collection<PolicyEndpoint> held) {
    Map<String, Map<Integer, PolicyEndpoint>> byGeneration = new HashMap<>();
    Map<String, Integer> countOf = new HashMap<>();
    List<PolicyEndpoint> selections = new ArrayList<>();
    for (PolicyEndpoint pe : held) {
      if (isSelection(pe)) {
        selections.add(pe);
        continue;
      }
      Chunk c = pe.getSpec() == null ? null : pe.getSpec().getChunk();
      if (c == null
          || c.getGeneration() == null
          || c.getCount() < 1
          || c.getIndex() < 0
          || c.getIndex() >= c.getCount()) {
        continue;
      }
      Integer known = countOf.putIfAbsent(c.getGeneration(), c.getCount());
      if (known != null && known != c.getCount()) {
        continue; // inconsistent count within one generation: not trustworthy
      }
      byGeneration.computeIfAbsent(c.getGeneration(), g -> new HashMap<>()).put(c.getIndex(), pe);
    }
    for (var e : byGeneration.entrySet()) {
      if (e.getValue().size() == countOf.get(e.getKey())) {
        List<PolicyEndpoint> chunks = new ArrayList<>(e.getValue().values());
        chunks.sort(Comparator.comparingInt(pe -> pe.getSpec().getChunk().getIndex()));
        selections.sort(Comparator.comparing(pe -> pe.getMetadata().getName()));
        chunks.addAll(selections);
        return Optional.of(chunks);
      }
    }
    return Optional.empty();
  }

  /**
   * What distinguishes one complete set from another: the rules generation, and the selected pods
   * of the selection objects in it. A change of either is a new set for the agent.
   */
  public static String generation(List<PolicyEndpoint> complete) {
    if (complete.isEmpty()) {
      return "";
    }
    String rules = complete.get(0).getSpec().getChunk().getGeneration();
    StringBuilder sel = new StringBuilder();
    for (PolicyEndpoint pe : complete) {
      if (isSelection(pe)) {
        sel.append(pe.getMetadata().getName()).append(pe.getSpec().getPodSelectorEndpoints());
      }
    }
    if (sel.length() == 0) {
      return rules;
    }
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256")
              .digest(sel.toString().getBytes(StandardCharsets.UTF_8));
      return rules + "+" + HexFormat.of().formatHex(d, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
