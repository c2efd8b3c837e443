package dev.netpol.itests.conformance;

import java.util.ArrayList;
import java.util.List;

/**
 * The expected truth table over the nine pods (from row, to column), all allowed at first; the
 * expect* methods have upstream's semantics, later calls overwrite earlier ones cell by cell.
 */
public final class Reachability {
  private static final int N = PodRef.ALL.size();
  private final boolean[][] expected = new boolean[N][N];

  public Reachability() {
    for (boolean[] row : expected) {
      java.util.Arrays.fill(row, true);
    }
  }

  public static Reachability allAllowed() {
    return new Reachability();
  }

  public Reachability expect(PodRef from, PodRef to, boolean allowed) {
    expected[from.index()][to.index()] = allowed;
    return this;
  }

  public Reachability expect(String from, String to, boolean allowed) {
    return expect(PodRef.of(from), PodRef.of(to), allowed);
  }

  /** Every pod into {@code to}: the whole column. */
  public Reachability expectAllIngress(String to, boolean allowed) {
    for (PodRef from : PodRef.ALL) {
      expect(from, PodRef.of(to), allowed);
    }
    return this;
  }

  /** {@code from} to every pod: the whole row. */
  public Reachability expectAllEgress(String from, boolean allowed) {
    for (PodRef to : PodRef.ALL) {
      expect(PodRef.of(from), to, allowed);
    }
    return this;
  }

  public Reachability expectPeer(Peer from, Peer to, boolean allowed) {
    for (PodRef f : PodRef.ALL) {
      if (from.matches(f)) {
        for (PodRef t : PodRef.ALL) {
          if (to.matches(t)) {
            expect(f, t, allowed);
          }
        }
      }
    }
    return this;
  }

  public boolean expected(PodRef from, PodRef to) {
    return expected[from.index()][to.index()];
  }

  /**
   * The ordered pairs that are probed and judged: every pair but a pod to itself (upstream ignores
   * loopback).
   */
  public static List<PodRef[]> judgedPairs() {
    List<PodRef[]> pairs = new ArrayList<>();
    for (PodRef from : PodRef.ALL) {
      for (PodRef to : PodRef.ALL) {
        if (!from.equals(to)) {
          pairs.add(new PodRef[] {from, to});
        }
      }
    }
    return pairs;
  }

  /**
   * Compares observations (null = not observed, counts as wrong) with the expectation, loopback
   * ignored.
   */
  public List<Cell> wrongCells(Boolean[][] observed) {
    List<Cell> wrong = new ArrayList<>();
    for (PodRef[] p : judgedPairs()) {
      boolean want = expected(p[0], p[1]);
      Boolean got = observed[p[0].index()][p[1].index()];
      if (got == null || got != want) {
        wrong.add(new Cell(p[0], p[1], want, got));
      }
    }
    return wrong;
  }

  /** Upstream's table: '.' allowed, 'X' denied, '-' loopback (not judged). */
  public String table() {
    return Matrices.table((f, t) -> f.equals(t) ? "-" : expected(f, t) ? "." : "X");
  }

  /** One wrong cell: what the case expects and what the probes saw (null: no answer). */
  public record Cell(PodRef from, PodRef to, boolean expected, Boolean observed) {
    @Override
    public String toString() {
      return from
          + "->"
          + to
          + " expected "
          + (expected ? "allow" : "deny")
          + " observed "
          + (observed == null ? "nothing" : observed ? "allow" : "deny");
    }
  }
}
