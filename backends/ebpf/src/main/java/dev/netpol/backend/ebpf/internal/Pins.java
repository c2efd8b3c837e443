package dev.netpol.backend.ebpf.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where netpol pins its kernel objects under the bpffs root (default /sys/fs/bpf/netpol). The
 * programs are loaded once per node and every map is node-wide; a pod is an entry keyed by its host
 * interface index in np_policy (its rule trie) and np_pods (its identity record):
 *
 * <pre>
 *   global/prog_ingress, global/prog_egress      the two programs (tc egress / tc ingress)
 *   global/np_policy, np_pods, np_node           per-pod tries and records, the node's record
 *   global/np_conntrack, np_frags                flows and fragments
 *   global/np_counters, np_stats, np_events      per-CPU verdict counters, drop stats, events
 *   global/np_est_counters                       per-CPU established packets by pod slot
 *   global/np_holder                             the agent holding the root (userspace map)
 * </pre>
 */
public record Pins(Path root) {
  public static final String CONNTRACK = "np_conntrack";
  public static final String EVENTS = "np_events";
  public static final String POLICY = "np_policy";
  public static final String PODS = "np_pods";
  public static final String NODE = "np_node";
  public static final String FRAGS = "np_frags";
  public static final String COUNTERS = "np_counters";
  public static final String EST_COUNTERS = "np_est_counters";
  public static final String STATS = "np_stats";
  public static final String HOLDER = "np_holder";
  public static final String PROG_INGRESS = "prog_ingress";
  public static final String PROG_EGRESS = "prog_egress";

  /** Every map of netpol.o, pinned under global/ by name. */
  public static final List<String> OBJECT_MAPS =
      List.of(POLICY, PODS, NODE, CONNTRACK, FRAGS, COUNTERS, EST_COUNTERS, STATS, EVENTS);

  public Path global(String name) {
    return root.resolve("global").resolve(name);
  }

  /** Deletes a pin tree (bpffs unlink drops the pin; objects live on while referenced). */
  public static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
