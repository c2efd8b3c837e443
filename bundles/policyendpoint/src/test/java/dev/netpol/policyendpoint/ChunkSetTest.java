package dev.netpol.policyendpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChunkSetTest {
  static PolicyEndpoint chunk(int index, int count, String generation) {
    PolicyEndpoint pe = new PolicyEndpoint();
    pe.getMetadata().setName("p-" + index);
    pe.getSpec().setChunk(new Chunk(index, count, generation));
    return pe;
  }

  @Test
  void completeWhenAllIndicesOfOneGenerationAreHeld() {
    var set = ChunkSet.complete(List.of(chunk(2, 3, "g"), chunk(0, 3, "g"), chunk(1, 3, "g")));
    assertTrue(set.isPresent());
    assertEquals(
        List.of("p-0", "p-1", "p-2"),
        set.get().stream().map(p -> p.getMetadata().getName()).toList());
  }

  @Test
  void incompleteWhenAChunkIsMissingOrFromAnotherGeneration() {
    assertTrue(ChunkSet.complete(List.of(chunk(0, 2, "g"))).isEmpty());
    assertTrue(ChunkSet.complete(List.of(chunk(0, 2, "g"), chunk(1, 2, "h"))).isEmpty());
    assertTrue(ChunkSet.complete(List.of()).isEmpty());
  }

  static PolicyEndpoint selection(String node, String... pods) {
    PolicyEndpoint pe = new PolicyEndpoint();
    pe.getMetadata().setName("p-n" + node);
    pe.getSpec().setChunk(null);
    pe.getSpec().setNode(node);
    for (String p : pods) {
      pe.getSpec()
          .getPodSelectorEndpoints()
          .add(new PodSelectorEndpoint("x", p, node, java.util.List.of("198.18.0.1")));
    }
    return pe;
  }

  @Test
  void selectionsJoinACompleteRulesSetAndChangeItsGeneration() {
    PolicyEndpoint s = selection("n1", "a");
    assertTrue(ChunkSet.isSelection(s));
    assertTrue(ChunkSet.complete(List.of(s)).isEmpty(), "no rules, no policy");
    var set = ChunkSet.complete(List.of(s, chunk(1, 2, "g"), chunk(0, 2, "g"))).orElseThrow();
    assertEquals(
        List.of("p-0", "p-1", "p-nn1"), set.stream().map(p -> p.getMetadata().getName()).toList());
    String g = ChunkSet.generation(set);
    assertTrue(g.startsWith("g+"), g);
    var other =
        ChunkSet.complete(List.of(selection("n1", "a", "b"), chunk(1, 2, "g"), chunk(0, 2, "g")))
            .orElseThrow();
    assertTrue(!g.equals(ChunkSet.generation(other)), "a selection change is a new set");
    assertEquals(
        "g", ChunkSet.generation(ChunkSet.complete(List.of(chunk(0, 1, "g"))).orElseThrow()));
  }

  @Test
  void staleExtraChunksOfAnOlderGenerationAreIgnored() {
    // count shrank from 3 to 2: old chunk 2 is still held until the controller deletes it
    var set =
        ChunkSet.complete(List.of(chunk(0, 2, "new"), chunk(1, 2, "new"), chunk(2, 3, "old")));
    assertEquals(2, set.orElseThrow().size());
  }
}
