package dev.netpol.console.internal.pages;

import dev.netpol.api.EnforcementBackend;
import dev.netpol.api.PodKey;
import dev.netpol.api.ProgrammedPod;
import dev.netpol.api.model.DirectionPolicy;
import dev.netpol.api.model.PodPolicy;
import dev.netpol.api.model.Rule;
import dev.netpol.api.status.AgentStatus;
import dev.netpol.api.status.PodStatus;
import dev.netpol.platform.guice.ServiceRef;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * This node's pods as the agent sees them: interface, addresses, state, rule counts, programming
 * latency, errors; one pod's programmed rules on {@code ?pod=namespace/name}.
 */
public final class PodsPage extends Page {
  private final ServiceRef<AgentStatus> agent;
  private final ServiceRef<EnforcementBackend> backends;

  public PodsPage(
      Tokens tokens, ServiceRef<AgentStatus> agent, ServiceRef<EnforcementBackend> backends) {
    super("netpol-pods", "Pods", tokens);
    this.agent = agent;
    this.backends = backends;
  }

  @Override
  protected void render(HttpServletRequest req, Html h) {
    Optional<AgentStatus> a = agent.current();
    if (a.isEmpty()) {
      h.statline("No node agent runs in this container.");
      return;
    }
    AgentStatus s = a.get();
    String pod = param(req, "pod");
    if (!pod.isEmpty()) {
      detail(req, h, s, pod);
      return;
    }
    List<PodStatus> pods = s.pods();
    Map<PodKey, String> programmed = s.programmed();
    h.statline(
        "Node "
            + s.nodeName()
            + " · backend "
            + (s.backend().isEmpty() ? "none" : s.backend())
            + " · caches "
            + (s.synced() ? "synced" : "NOT synced")
            + " · "
            + (pods.isEmpty() ? programmed.size() : pods.size())
            + " pods, "
            + programmed.size()
            + " programmed · "
            + s.policyEndpointsHeld()
            + " PolicyEndpoints held · "
            + s.reconcileErrors()
            + " reconcile errors");
    h.table(
        "netpol-pods",
        List.of(
            "Pod",
            "Interface",
            "Addresses",
            "State",
            "Selected by",
            "Ingress",
            "Egress",
            "Programmed",
            "Latency",
            "Error"));
    if (pods.isEmpty()) {
      // an agent that reports no pod details: what it programmed, as the backend holds it
      Map<PodKey, ProgrammedPod> held = held(s.backend());
      programmed.forEach(
          (k, digest) -> {
            ProgrammedPod p = held.get(k);
            Optional<PodPolicy> policy = s.programmedPolicy(k);
            h.row(
                List.of(
                    Html.link(self(req) + "?pod=" + Html.url(k.toString()), k),
                    Html.esc(p == null ? "" : p.hostInterface()),
                    Html.esc(
                        p == null
                            ? ""
                            : p.addresses().stream()
                                .map(Addresses::text)
                                .collect(Collectors.joining(", "))),
                    Html.cls("netpol-ok", "programmed"),
                    "", // the agent does not report which policies select the pod
                    policy.map(x -> rules(x.ingress())).orElse(""),
                    policy.map(x -> rules(x.egress())).orElse(""),
                    Html.esc("policy " + digest),
                    "",
                    ""));
          });
    }
    for (PodStatus p : pods) {
      h.row(
          List.of(
              Html.link(self(req) + "?pod=" + Html.url(p.key().toString()), p.key()),
              Html.esc(p.hostInterface()),
              Html.esc(String.join(", ", p.addresses())),
              state(p.state()),
              Html.esc(String.join(", ", p.policies())),
              rules(p.ingressRules()),
              rules(p.egressRules()),
              Html.esc(p.programmedAt() == null ? "" : ago(p.programmedAt())),
              Html.esc(
                  Double.isNaN(p.lastLatencySeconds())
                      ? ""
                      : String.format("%.3f s", p.lastLatencySeconds())),
              Html.cls("netpol-bad", p.error())));
    }
    h.end();
    h.note(
        "Ingress/Egress: rules of the isolated direction (open: no policy isolates it). Latency:"
            + " from the controller seeing the last change to this node having programmed it.");
  }

  private void detail(HttpServletRequest req, Html h, AgentStatus s, String pod) {
    PodKey key;
    try {
      key = PodKey.parse(pod);
    } catch (RuntimeException e) {
      h.error("'" + pod + "' is not namespace/name");
      return;
    }
    h.raw("<p>").raw(Html.link(self(req), "← all pods")).raw("</p>");
    h.h2("Pod " + key);
    s.pods().stream()
        .filter(p -> p.key().equals(key))
        .findFirst()
        .ifPresent(
            p ->
                h.statline(
                    p.state()
                        + " on "
                        + p.hostInterface()
                        + " · "
                        + String.join(", ", p.addresses())
                        + " · selected by "
                        + (p.policies().isEmpty() ? "no policy" : String.join(", ", p.policies()))
                        + (p.error().isEmpty() ? "" : " · error: " + p.error())));
    Optional<PodPolicy> policy = s.programmedPolicy(key);
    if (policy.isEmpty()) {
      h.note(
          "The agent reports no programmed state for "
              + key
              + " (not a pod of this node, not programmed yet, or an agent that does not tell).");
      return;
    }
    direction(h, "Ingress (what " + key + " may receive)", "from", policy.get().ingress());
    direction(h, "Egress (what " + key + " may send)", "to", policy.get().egress());
    h.note("Digest of this state: " + policy.get().digest());
  }

  private static void direction(Html h, String title, String word, DirectionPolicy d) {
    h.h2(title);
    if (!d.isolated()) {
      h.note("Not isolated: everything is allowed.");
      return;
    }
    if (d.rules().isEmpty()) {
      h.note("Isolated with no rule: everything is denied.");
      return;
    }
    h.table("netpol-rules-" + word, List.of("#", "Policy", "Peers (" + word + ")", "Ports"));
    int i = 1;
    for (Rule r : d.rules()) {
      h.row(
          List.of(
              String.valueOf(i++),
              Html.esc(r.origin()),
              Html.esc(r.peers().stream().map(Addresses::peer).collect(Collectors.joining(", "))),
              Html.esc(
                  r.allowsAllPorts()
                      ? "all"
                      : r.ports().stream()
                          .map(Object::toString)
                          .collect(Collectors.joining(", ")))));
    }
    h.end();
  }

  private static String state(String state) {
    return Html.cls(
        switch (state) {
          case "programmed" -> "netpol-ok";
          case "failed" -> "netpol-bad";
          default -> "netpol-unknown";
        },
        state);
  }

  private Map<PodKey, ProgrammedPod> held(String active) {
    for (ServiceRef.Registered<EnforcementBackend> r : backends.all()) {
      if (BackendPage.name(r).equals(active)) {
        try {
          return r.service().programmed();
        } catch (RuntimeException e) {
          return Map.of();
        }
      }
    }
    return Map.of();
  }

  private static String rules(DirectionPolicy d) {
    return d.isolated() ? String.valueOf(d.rules().size()) : "open";
  }

  private static String rules(int n) {
    return n < 0 ? "open" : String.valueOf(n);
  }

  static String ago(Instant t) {
    long s = Math.max(0, java.time.Duration.between(t, Instant.now()).getSeconds());
    return t + " (" + (s < 120 ? s + " s" : s / 60 + " min") + " ago)";
  }

  /** Pod keys and addresses for other pages' forms. */
  static List<String> podNames(Optional<AgentStatus> a) {
    List<String> out = new ArrayList<>();
    a.ifPresent(
        s -> {
          s.pods().forEach(p -> out.add(p.key().toString()));
          if (out.isEmpty()) {
            s.programmed().keySet().forEach(k -> out.add(k.toString()));
          }
        });
    return out;
  }
}
