package dev.netpol.backend.ebpf.internal.rules;

import dev.netpol.api.model.PortRange;
import dev.netpol.api.model.Protocol;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What a class of addresses may use: everything, or per protocol a sorted list of disjoint,
 * non-adjacent port intervals. Equal sets are equal values, which is how classes are deduplicated.
 */
record PortSet(boolean allTraffic, Map<Protocol, List<List<Integer>>> ports) {
  static final PortSet ALL = new PortSet(true, Map.of());
  static final PortSet NONE = new PortSet(false, Map.of());

  boolean isEmpty() {
    return !allTraffic && ports.isEmpty();
  }

  static PortSet union(List<List<PortRange>> portLists) {
    Map<Protocol, List<int[]>> by = new EnumMap<>(Protocol.class);
    for (List<PortRange> l : portLists) {
      if (l.isEmpty()) {
        return ALL;
      }
      for (PortRange r : l) {
        by.computeIfAbsent(r.protocol(), p -> new ArrayList<>())
            .add(new int[] {r.first(), r.last()});
      }
    }
    Map<Protocol, List<List<Integer>>> merged = new EnumMap<>(Protocol.class);
    by.forEach(
        (proto, ranges) -> {
          ranges.sort((x, y) -> Integer.compare(x[0], y[0]));
          List<List<Integer>> out = new ArrayList<>();
          int s = -2;
          int e = -2;
          for (int[] r : ranges) {
            if (r[0] <= e + 1) {
              e = Math.max(e, r[1]);
            } else {
              if (s >= 0) {
                out.add(List.of(s, e));
              }
              s = r[0];
              e = r[1];
            }
          }
          out.add(List.of(s, e));
          merged.put(proto, List.copyOf(out));
        });
    return new PortSet(false, merged);
  }
}
