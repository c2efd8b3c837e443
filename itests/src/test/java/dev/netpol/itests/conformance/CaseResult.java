package dev.netpol.itests.conformance;

import dev.netpol.itests.conformance.ProbeTargets.Mode;
import dev.netpol.itests.conformance.Reachability.Cell;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What one case did on one backend and address family, per probe mode. */
public record CaseResult(
    ConformanceCase testCase,
    String backend,
    String family,
    Map<Mode, ModeResult> modes,
    java.time.Instant started,
    long millis) {

  /**
   * One Validate step in one mode: the final wrong cells (after the second try) and the first try's
   * count.
   */
  public record StepResult(
      String what,
      List<Cell> wrong,
      int firstTryWrong,
      long millis,
      String expectedTable,
      String observedTable,
      int retriedPairs,
      long settleMillis) {}

  /**
   * A case in one mode: passed when the baseline held and every step matched; error says why not,
   * if not cells.
   */
  public record ModeResult(Mode mode, boolean passed, String error, List<StepResult> steps) {
    /**
     * "80/TCP: allowed but expected denied: x/a->x/b, ...; denied but expected allowed: ..." with
     * at most limit cells.
     */
    public String differingCells(int limit) {
      List<String> parts = new ArrayList<>();
      if (error != null) {
        parts.add(error);
      }
      int room = limit;
      int hidden = 0;
      for (StepResult s : steps) {
        List<String> groups = new ArrayList<>();
        for (Boolean observed : new Boolean[] {Boolean.TRUE, Boolean.FALSE, null}) {
          List<String> cells =
              s.wrong().stream()
                  .filter(c -> java.util.Objects.equals(c.observed(), observed))
                  .map(c -> c.from() + "->" + c.to())
                  .toList();
          if (cells.isEmpty()) {
            continue;
          }
          int shown = Math.min(room, cells.size());
          hidden += cells.size() - shown;
          room -= shown;
          String label =
              observed == null
                  ? "not observed"
                  : observed ? "allowed but expected denied" : "denied but expected allowed";
          groups.add(
              label + " (" + cells.size() + "): " + String.join(", ", cells.subList(0, shown)));
        }
        if (!groups.isEmpty()) {
          parts.add(s.what() + ": " + String.join("; ", groups));
        }
      }
      return String.join(" | ", parts) + (hidden > 0 ? " ..." : "");
    }

    public int firstTryWrong() {
      return steps.stream().mapToInt(StepResult::firstTryWrong).sum();
    }

    /**
     * Pairs (over all steps) whose first probe did not show the expected value: enforcement not
     * there yet.
     */
    public int retriedPairs() {
      return steps.stream().mapToInt(StepResult::retriedPairs).sum();
    }

    /**
     * The longest time a step's pairs took to show their expected values (0 when all matched at
     * once).
     */
    public long settleMillis() {
      return steps.stream().mapToLong(StepResult::settleMillis).max().orElse(0);
    }
  }

  public boolean passed() {
    return !modes.isEmpty() && modes.values().stream().allMatch(ModeResult::passed);
  }
}
