package dev.netpol.agent.internal;

import dev.netpol.api.BackendHealth;
import dev.netpol.api.EnforcementBackend;
import dev.netpol.api.status.BackendSwitch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The text {@code bin/netpol backend show|switch} prints, made in the running agent. */
final class BackendReport {
  /** Lines for the operator and the command's exit status. */
  record Reply(List<String> lines, int exit) {}

  private BackendReport() {}

  static List<String> show(NodeAgent agent) {
    BackendSwitcher s = agent.switcher();
    List<String> out = new ArrayList<>();
    out.add(row("node", agent.nodeName() + (agent.synced() ? "" : " (caches not synced yet)")));
    String active = s.activeName();
    out.add(
        row(
            "active",
            active.isEmpty()
                ? "none: programming paused, the kernel keeps the last programmed state"
                : active + " (" + agent.programmed().size() + " pods)"));
    out.add(row("wanted", s.wanted() + " (" + s.wantedBy() + ")"));
    List<String> available = s.available();
    if (available.isEmpty()) {
      out.add(row("available", "none"));
    }
    for (String name : available) {
      out.add(row("available", name + ": " + health(s, name)));
    }
    String problem = s.problem();
    if (!problem.isEmpty()) {
      out.add(row("problem", problem));
    }
    for (Map.Entry<String, String> e : s.leftovers().entrySet()) {
      out.add(row("leftover", e.getKey() + " still holds kernel state: " + e.getValue()));
    }
    out.add(row("switches", String.valueOf(s.switches())));
    out.add(row("last switch", s.lastSwitch().map(BackendReport::describe).orElse("none")));
    return out;
  }

  static Reply switched(BackendSwitch s) {
    return new Reply(List.of(describe(s)), "done".equals(s.outcome()) ? 0 : 1);
  }

  static String describe(BackendSwitch s) {
    String from = s.from() == null || s.from().isEmpty() ? "(none)" : s.from();
    String took =
        s.finished() == null
            ? "running since " + s.started()
            : "at "
                + s.finished()
                + ", "
                + Duration.between(s.started(), s.finished()).toMillis()
                + " ms";
    return from + " -> " + s.to() + ": " + s.outcome() + " (" + took + "): " + s.detail();
  }

  private static String health(BackendSwitcher s, String name) {
    try {
      EnforcementBackend b = s.find(name).map(r -> r.service()).orElse(null);
      if (b == null) {
        return "gone";
      }
      BackendHealth h = b.health();
      return (h.healthy() ? "healthy" : "FAILING") + ", " + h.detail();
    } catch (RuntimeException e) {
      return "FAILING, " + e.getMessage();
    }
  }

  private static String row(String key, String value) {
    return String.format("%-12s %s", key + ":", value);
  }
}
