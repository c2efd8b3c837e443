package dev.netpol.policyendpoint;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Agent-side helper: decides whether the chunks held for one policy form a complete result. The
 * controller writes chunks one by one, so between writes an agent can hold a mix of old and new
 * chunks; applying that mix would enforce a policy that never existed.
 */
public final class ChunkSet {
  private ChunkSet() {}

  /**
   * Given the PolicyEndpoints an agent holds for one policy (any order, possibly stale extra
   * chunks), returns chunks {@code 0..count-1} of one generation sorted by index, or empty if no
   * generation is complete. Names are deterministic per index, so at most one generation can be
   * complete at a time.
   */
  public static Optional<List<PolicyEndpoint>> complete(Collection<PolicyEndpoint> held) {
    Map<String, Map<Integer, PolicyEndpoint>> byGeneration = new HashMap<>();
    Map<String, Integer> countOf = new HashMap<>();
    for (PolicyEndpoint pe : held) {
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
        return Optional.of(chunks);
      }
    }
    return Optional.empty();
  }
}
