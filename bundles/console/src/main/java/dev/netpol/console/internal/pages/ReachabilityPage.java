package dev.netpol.console.internal.pages;

import dev.netpol.api.EnforcementBackend;
import dev.netpol.api.PodKey;
import dev.netpol.api.ProgrammedPod;
import dev.netpol.api.model.Protocol;
import dev.netpol.api.status.AgentStatus;
import dev.netpol.api.status.PodStatus;
import dev.netpol.platform.guice.ServiceRef;
import jakarta.servlet.http.HttpServletRequest;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * "Can pod A reach pod B on port P/proto?", answered from the state this node programmed (A's
 * egress and B's ingress), naming the policy and rule that decide each side.
 */
public final class ReachabilityPage extends Page {
  private final ServiceRef<AgentStatus> agent;
  private final ServiceRef<EnforcementBackend> backends;

  public ReachabilityPage(
      Tokens tokens, ServiceRef<AgentStatus> agent, ServiceRef<EnforcementBackend> backends) {
    super("netpol-reachability", "Reachability", tokens);
    this.agent = agent;
    this.backends = backends;
  }

  @Override
  protected void render(HttpServletRequest req, Html h) {
    Optional<AgentStatus> a = agent.current();
    String from = param(req, "from");
    String to = param(req, "to");
    String port = param(req, "port");
    String proto = param(req, "protocol").isEmpty() ? "TCP" : param(req, "protocol");
    List<String> pods = PodsPage.podNames(a);
    h.note(
        "Answered from what this node programmed: the source's egress and the destination's"
            + " ingress. A pod of another node, or an address, has no state here: its side is"
            + " unknown.");
    h.raw("<form class='netpol' id='netpol-reach-form' method='get' action='")
        .text(self(req))
        .raw("'>")
        .raw(endField("from", "From", from, pods))
        .raw(endField("to", "To", to, pods))
        .raw("<label>Port <input name='port' id='netpol-reach-port' size='6' value='")
        .text(port)
        .raw("'/></label><label>Protocol <select name='protocol' id='netpol-reach-protocol'>");
    for (Protocol p : Protocol.values()) {
      h.raw("<option value='")
          .text(p.name())
          .raw("'")
          .raw(p.name().equals(proto) ? " selected='selected'" : "")
          .raw(">")
          .text(p.name())
          .raw("</option>");
    }
    h.raw("</select></label><button type='submit' id='netpol-reach-check'>Check</button></form>");
    h.raw("<datalist id='netpol-pod-names'>");
    pods.forEach(p -> h.raw("<option value='").text(p).raw("'/>"));
    h.raw("</datalist>");
    if (from.isEmpty() && to.isEmpty()) {
      return;
    }
    if (a.isEmpty()) {
      h.error("No node agent runs in this container: there is no programmed state to ask.");
      return;
    }
    int p;
    Protocol protocol;
    try {
      p = Integer.parseInt(port);
      if (p < 1 || p > 65535) {
        throw new NumberFormatException();
      }
      protocol = Protocol.parse(proto, "protocol");
    } catch (RuntimeException e) {
      h.error("port: '" + port + "' is not a port number 1..65535");
      return;
    }
    Map<PodKey, ProgrammedPod> held = held(a.get().backend());
    Optional<Reachability.End> src = end(a.get(), held, from);
    Optional<Reachability.End> dst = end(a.get(), held, to);
    if (src.isEmpty() || dst.isEmpty()) {
      h.error(
          (src.isEmpty() ? "from: '" + from + "'" : "to: '" + to + "'")
              + " is neither a pod the agent reports (namespace/name) nor an IP address");
      return;
    }
    List<Reachability.Answer> answers = Reachability.check(src.get(), dst.get(), protocol, p);
    if (answers.isEmpty()) {
      h.error("The two ends have no address of a common family.");
      return;
    }
    for (Reachability.Answer ans : answers) {
      String verdict =
          switch (ans.outcome()) {
            case ALLOWED -> "ALLOWED";
            case DENIED -> "DENIED";
            case UNKNOWN -> "allowed here, decided elsewhere for the other end";
          };
      h.raw("<h2 class='netpol' id='netpol-reach-verdict'>")
          .text(src.get().name() + " → " + dst.get().name() + " " + protocol + "/" + p + ": ")
          .raw(
              Html.cls(
                  switch (ans.outcome()) {
                    case ALLOWED -> "netpol-ok";
                    case DENIED -> "netpol-bad";
                    case UNKNOWN -> "netpol-unknown";
                  },
                  verdict))
          .raw("</h2>");
      h.table("netpol-reach-steps", List.of("Side", "Decision", "Policy", "Rule", "Why"));
      for (Reachability.Step s : ans.steps()) {
        h.row(
            List.of(
                Html.esc(s.side()),
                Html.cls(
                    s.outcome() == Reachability.Outcome.ALLOWED
                        ? "netpol-ok"
                        : s.outcome() == Reachability.Outcome.DENIED
                            ? "netpol-bad"
                            : "netpol-unknown",
                    s.outcome().name().toLowerCase()),
                Html.esc(s.policy()),
                s.rule() < 0 ? "" : "#" + (s.rule() + 1),
                Html.esc(s.reason())));
      }
      h.end();
      h.note(ans.family() + ": " + Addresses.text(ans.from()) + " → " + Addresses.text(ans.to()));
    }
  }

  private static String endField(String name, String label, String value, List<String> pods) {
    return "<label>"
        + label
        + " <input name='"
        + name
        + "' id='netpol-reach-"
        + name
        + "' list='netpol-pod-names' placeholder='namespace/name or address' value='"
        + Html.esc(value)
        + "'/></label>";
  }

  /** What the active backend holds per pod (its addresses, as programmed). */
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

  /**
   * A pod of this node (addresses as the agent reports them, else as the backend holds them), or a
   * bare address (not a pod of this node).
   */
  static Optional<Reachability.End> end(
      AgentStatus a, Map<PodKey, ProgrammedPod> held, String text) {
    if (text.isEmpty()) {
      return Optional.empty();
    }
    Optional<InetAddress> ip = Reachability.address(text);
    if (ip.isPresent()) {
      return Optional.of(
          new Reachability.End(text, List.of(ip.get()), false, Optional.empty(), List.of()));
    }
    PodKey key;
    try {
      key = PodKey.parse(text);
    } catch (RuntimeException e) {
      return Optional.empty();
    }
    Optional<PodStatus> st = a.pods().stream().filter(p -> p.key().equals(key)).findFirst();
    List<InetAddress> addrs = new ArrayList<>();
    if (st.isPresent()) {
      for (String s : st.get().addresses()) {
        Reachability.address(s).ifPresent(addrs::add);
      }
    } else if (held.containsKey(key)) {
      addrs.addAll(held.get(key).addresses());
    } else {
      return Optional.empty();
    }
    return Optional.of(
        new Reachability.End(
            key.toString(),
            addrs,
            true,
            a.programmedPolicy(key),
            st.map(PodStatus::policies).orElse(List.of())));
  }
}
