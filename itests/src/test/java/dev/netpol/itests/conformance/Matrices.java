package dev.netpol.itests.conformance;

import java.util.function.BiFunction;

/** Renders 9x9 tables in upstream's layout (rows: from, columns: to). */
final class Matrices {
  private Matrices() {}

  static String table(BiFunction<PodRef, PodRef, String> cell) {
    StringBuilder sb = new StringBuilder("-");
    for (PodRef to : PodRef.ALL) {
      sb.append('\t').append(to);
    }
    for (PodRef from : PodRef.ALL) {
      sb.append('\n').append(from);
      for (PodRef to : PodRef.ALL) {
        sb.append('\t').append(cell.apply(from, to));
      }
    }
    return sb.append('\n').toString();
  }

  static String observed(Boolean[][] observed) {
    return table(
        (f, t) -> {
          Boolean v = observed[f.index()][t.index()];
          return f.equals(t) ? "-" : v == null ? "?" : v ? "." : "X";
        });
  }
}
