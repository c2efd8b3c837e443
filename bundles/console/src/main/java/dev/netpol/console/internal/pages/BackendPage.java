package dev.netpol.console.internal.pages;

import dev.netpol.api.BackendHealth;
import dev.netpol.api.BackendStatistics;
import dev.netpol.api.EnforcementBackend;
import dev.netpol.api.status.AgentControl;
import dev.netpol.api.status.AgentStatus;
import dev.netpol.api.status.BackendSwitch;
import dev.netpol.platform.guice.ServiceRef;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Optional;

/**
 * The backends of this node: which one the agent programs, each one's health, tables and counts;
 * and the switch to another one (a confirmation, then a POST that asks the agent for the
 * make-before-break hand-over; the result is shown when it is done).
 */
public final class BackendPage extends Page {
  private final ServiceRef<AgentStatus> agent;
  private final ServiceRef<AgentControl> control;
  private final ServiceRef<EnforcementBackend> backends;
  private final SwitchRunner runner;

  public BackendPage(
      Tokens tokens,
      ServiceRef<AgentStatus> agent,
      ServiceRef<AgentControl> control,
      ServiceRef<EnforcementBackend> backends,
      SwitchRunner runner) {
    super("netpol-backend", "Backend", tokens);
    this.agent = agent;
    this.control = control;
    this.backends = backends;
    this.runner = runner;
  }

  static String name(ServiceRef.Registered<EnforcementBackend> r) {
    return String.valueOf(
        r.properties().getOrDefault(EnforcementBackend.NAME_PROPERTY, r.service().name()));
  }

  @Override
  protected void render(HttpServletRequest req, Html h) {
    String active = agent.current().map(AgentStatus::backend).orElse("");
    String confirm = param(req, "confirm");
    String run = param(req, "switch");
    if (!run.isEmpty()) {
      result(req, h, run);
      return;
    }
    if (!confirm.isEmpty()) {
      confirm(req, h, active, confirm);
      return;
    }
    List<ServiceRef.Registered<EnforcementBackend>> all = backends.all();
    h.statline(
        "Active backend: "
            + (active.isEmpty() ? "none" : active)
            + " · "
            + all.size()
            + " registered"
            + (control.current().isPresent()
                ? ""
                : " · switching is not available (the agent offers no AgentControl)"));
    h.table(
        "netpol-backends",
        List.of("Backend", "Active", "Health", "Tables", "Tracked flows", "Verdicts", ""));
    for (ServiceRef.Registered<EnforcementBackend> r : all) {
      String name = name(r);
      BackendHealth health;
      BackendStatistics st;
      try {
        health = r.service().health();
        st = r.service().statistics();
      } catch (RuntimeException e) {
        health = BackendHealth.failing("unreadable: " + e.getMessage());
        st = BackendStatistics.EMPTY;
      }
      StringBuilder tables = new StringBuilder();
      for (BackendStatistics.TableUsage t : st.tables()) {
        tables
            .append(Html.esc(t.name()))
            .append(": ")
            .append(t.entries())
            .append(t.capacity() >= 0 ? " / " + t.capacity() : "")
            .append("<br/>");
      }
      long allowed = 0;
      long denied = 0;
      for (BackendStatistics.VerdictCount v : st.verdicts()) {
        if (v.allowed()) {
          allowed += v.packets();
        } else {
          denied += v.packets();
        }
      }
      boolean isActive = name.equals(active);
      String action =
          !isActive && control.current().isPresent() && !active.isEmpty()
              ? Html.link(self(req) + "?confirm=" + Html.url(name), "Switch to " + name + "…")
              : "";
      h.row(
          List.of(
              Html.esc(name),
              isActive ? Html.cls("netpol-ok", "active") : "",
              Html.cls(
                      health.healthy() ? "netpol-ok" : "netpol-bad",
                      health.healthy() ? "healthy" : "unhealthy")
                  + " "
                  + Html.esc(health.detail()),
              tables.toString(),
              String.valueOf(st.trackedFlows()),
              allowed + " allowed, " + denied + " denied packets",
              action));
    }
    h.end();
    agent
        .current()
        .flatMap(AgentStatus::lastSwitch)
        .ifPresent(
            s -> {
              h.h2("Last switch");
              describe(h, s);
            });
    agent
        .current()
        .ifPresent(
            a ->
                h.note(
                    a.backendSwitches()
                        + " switches completed since the agent started. Available to the agent: "
                        + String.join(", ", a.backendsAvailable())));
  }

  private void confirm(HttpServletRequest req, Html h, String active, String to) {
    h.h2("Switch the backend from " + active + " to " + to + "?");
    if (control.current().isEmpty()) {
      h.error("Switching is not available: the agent offers no AgentControl service.");
      return;
    }
    if (backends.all().stream().noneMatch(r -> name(r).equals(to))) {
      h.error("No backend named '" + to + "' is registered.");
      return;
    }
    h.note(
        "The agent hands every pod of this node over to "
            + to
            + ": "
            + to
            + " programs every pod and is verified while "
            + active
            + " keeps enforcing; only then does "
            + active
            + " release its kernel state. If "
            + to
            + " fails, "
            + active
            + " stays active.");
    h.raw("<form class='netpol' method='post' action='")
        .text(self(req))
        .raw("'>")
        .raw(tokenField())
        .raw("<input type='hidden' name='action' value='switch'/>")
        .raw("<input type='hidden' name='to' value='")
        .text(to)
        .raw("'/><button type='submit' id='netpol-confirm-switch'>Switch to ")
        .text(to)
        .raw("</button> ")
        .raw(Html.link(self(req), "Cancel"))
        .raw("</form>");
  }

  @Override
  protected String post(HttpServletRequest req) {
    if (!param(req, "action").equals("switch")) {
      return null;
    }
    String to = param(req, "to");
    Optional<AgentControl> c = control.current();
    String active = agent.current().map(AgentStatus::backend).orElse("");
    if (c.isEmpty() || to.isEmpty() || runner.busy()) {
      return "";
    }
    long id = runner.start(c.get(), active, to, String.valueOf(req.getRemoteUser()));
    return "?switch=" + id;
  }

  private void result(HttpServletRequest req, Html h, String id) {
    Optional<SwitchRunner.Run> run;
    try {
      run = runner.run(Long.parseLong(id));
    } catch (NumberFormatException e) {
      run = Optional.empty();
    }
    h.raw("<p>").raw(Html.link(self(req), "← backends")).raw("</p>");
    if (run.isEmpty()) {
      h.error("No switch with id " + id + " (the console keeps the last 20).");
      return;
    }
    SwitchRunner.Run r = run.get();
    if (r.result() == null) {
      h.statline("Switching from " + r.from() + " to " + r.to() + " since " + r.started() + " …");
      h.raw("<script>setTimeout(function(){location.reload();},1000);</script>");
      return;
    }
    h.h2("Switch from " + r.from() + " to " + r.to());
    describe(h, r.result());
  }

  private static void describe(Html h, BackendSwitch s) {
    h.table(
        "netpol-switch", List.of("From", "To", "Outcome", "Pods", "Started", "Finished", "Detail"));
    h.row(
        List.of(
            Html.esc(s.from()),
            Html.esc(s.to()),
            Html.cls(
                s.outcome().equals("done")
                    ? "netpol-ok"
                    : s.outcome().equals("running") ? "netpol-unknown" : "netpol-bad",
                s.outcome()),
            String.valueOf(s.pods()),
            Html.esc(String.valueOf(s.started())),
            Html.esc(String.valueOf(s.finished())),
            Html.esc(s.detail())));
    h.end();
  }
}
