package dev.netpol.itests.conformance;

import dev.netpol.itests.conformance.ProbeTargets.Mode;
import dev.netpol.itests.conformance.Reachability.Cell;
import java.util.List;
import java.util.Map;

/** What one case did on one backend and address family, per probe mode. */
public record CaseResult(ConformanceCase testCase, String backend, String family, Map<Mode, ModeResult> modes,
    long millis) {

  /** One Validate step in one mode: the final wrong cells (after the second try) and the first try's count. */
  public record StepResult(String what, List<Cell> wrong, int firstTryWrong, long millis, String expectedTable,
      String observedTable) {}

  /** A case in one mode: passed when the baseline held and every step matched; error says why not, if not cells. */
  public record ModeResult(Mode mode, boolean passed, String error, List<StepResult> steps) {
    public String differingCells(int limit) {
      StringBuilder sb = new StringBuilder();
      if (error != null) {
        sb.append(error);
      }
      int shown = 0;
      int total = 0;
      for (StepResult s : steps) {
        if (s.wrong().isEmpty()) {
          continue;
        }
        total += s.wrong().size();
        sb.append(sb.length() > 0 ? "; " : "").append(s.what()).append(": ");
        List<String> cells = s.wrong().stream().map(Cell::toString).toList();
        int room = Math.max(0, limit - shown);
        sb.append(String.join(", ", cells.subList(0, Math.min(room, cells.size()))));
        shown += Math.min(room, cells.size());
      }
      if (total > shown) {
        sb.append(" ... (").append(total - shown).append(" more)");
      }
      return sb.toString();
    }

    public int firstTryWrong() {
      return steps.stream().mapToInt(StepResult::firstTryWrong).sum();
    }
  }

  public boolean passed() {
    return !modes.isEmpty() && modes.values().stream().allMatch(ModeResult::passed);
  }
}
