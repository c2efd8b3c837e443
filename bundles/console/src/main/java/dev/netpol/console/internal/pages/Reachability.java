package dev.netpol.console.internal.pages;

import dev.netpol.api.model.DirectionPolicy;
import dev.netpol.api.model.IpFamily;
import dev.netpol.api.model.PodPolicy;
import dev.netpol.api.model.Protocol;
import dev.netpol.api.model.Rule;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * "Can A reach B on port P/proto?" answered from what the node programmed: A's egress and B's
 * ingress, each the complete desired state the backend holds for that pod. An end that is not a pod
 * of this node (another node's pod, an address) has no state here; its side is unknown.
 */
final class Reachability {
  enum Outcome {
    ALLOWED,
    DENIED,
    UNKNOWN
  }

  /**
   * One end of the question.
   *
   * @param local whether it is a pod of this node
   * @param policy the state programmed for it; empty for other ends, or while none is programmed
   * @param selectedBy the policies that select it (for the answer's wording)
   */
  record End(
      String name,
      List<InetAddress> addresses,
      boolean local,
      Optional<PodPolicy> policy,
      List<String> selectedBy) {}

  /** One side's decision: which rule (index in the pod's programmed list) and policy decided. */
  record Step(String side, Outcome outcome, String policy, int rule, String reason) {}

  /** The answer for one address family. */
  record Answer(
      IpFamily family, InetAddress from, InetAddress to, Outcome outcome, List<Step> steps) {}

  private Reachability() {}

  static List<Answer> check(End a, End b, Protocol protocol, int port) {
    List<Answer> out = new ArrayList<>();
    for (IpFamily family : IpFamily.values()) {
      Optional<InetAddress> from = first(a, family);
      Optional<InetAddress> to = first(b, family);
      if (from.isEmpty() || to.isEmpty()) {
        continue;
      }
      Step egress = side(a, "egress", from.get(), to.get(), protocol, port);
      Step ingress = side(b, "ingress", to.get(), from.get(), protocol, port);
      Outcome o =
          egress.outcome() == Outcome.DENIED || ingress.outcome() == Outcome.DENIED
              ? Outcome.DENIED
              : egress.outcome() == Outcome.UNKNOWN || ingress.outcome() == Outcome.UNKNOWN
                  ? Outcome.UNKNOWN
                  : Outcome.ALLOWED;
      out.add(new Answer(family, from.get(), to.get(), o, List.of(egress, ingress)));
    }
    return out;
  }

  private static Optional<InetAddress> first(End e, IpFamily f) {
    return e.addresses().stream().filter(x -> IpFamily.of(x) == f).findFirst();
  }

  /**
   * The decision of {@code end}'s {@code direction} about a packet whose other end is {@code
   * remote}.
   */
  private static Step side(
      End end, String direction, InetAddress self, InetAddress remote, Protocol proto, int port) {
    String who = end.name() + " " + direction;
    if (end.local() && end.policy().isEmpty()) {
      return new Step(
          who,
          Outcome.UNKNOWN,
          "",
          -1,
          "the agent reports no programmed state for " + end.name() + " (not programmed yet)");
    }
    if (end.policy().isEmpty()) {
      return new Step(
          who,
          Outcome.UNKNOWN,
          "",
          -1,
          end.name()
              + " is not a pod of this node: its "
              + direction
              + " is decided where it runs");
    }
    DirectionPolicy d =
        direction.equals("ingress") ? end.policy().get().ingress() : end.policy().get().egress();
    if (!d.isolated()) {
      return new Step(
          who,
          Outcome.ALLOWED,
          "",
          -1,
          "not isolated: no policy selects " + end.name() + " for " + direction);
    }
    String peer = (direction.equals("ingress") ? "from " : "to ") + Addresses.text(remote);
    List<String> nearMisses = new ArrayList<>();
    for (int i = 0; i < d.rules().size(); i++) {
      Rule r = d.rules().get(i);
      if (r.allows(remote, proto.number(), port)) {
        return new Step(
            who,
            Outcome.ALLOWED,
            r.origin(),
            i,
            "allowed by rule #"
                + (i + 1)
                + " ("
                + origin(r)
                + "): "
                + describe(r)
                + " admits "
                + peer
                + " on "
                + proto
                + "/"
                + port);
      }
      if (r.peers().stream().anyMatch(p -> p.contains(remote))) {
        nearMisses.add(
            "rule #"
                + (i + 1)
                + " ("
                + origin(r)
                + ") admits the address on "
                + ports(r)
                + " only");
      }
    }
    String by = end.selectedBy().isEmpty() ? "" : " by " + String.join(", ", end.selectedBy());
    return new Step(
        who,
        Outcome.DENIED,
        "",
        -1,
        "denied: "
            + direction
            + " of "
            + end.name()
            + " is isolated"
            + by
            + " and none of its "
            + d.rules().size()
            + " rules admits "
            + peer
            + " on "
            + proto
            + "/"
            + port
            + (nearMisses.isEmpty() ? "" : "; " + String.join("; ", nearMisses)));
  }

  static String origin(Rule r) {
    return r.origin().equals("node")
        ? "the node's own addresses"
        : r.origin().isEmpty() ? "no policy named" : "policy " + r.origin();
  }

  static String describe(Rule r) {
    String peers = r.peers().stream().map(Addresses::peer).collect(Collectors.joining(", "));
    return "peers " + peers + ", ports " + ports(r);
  }

  static String ports(Rule r) {
    return r.allowsAllPorts()
        ? "all"
        : r.ports().stream().map(Object::toString).collect(Collectors.joining(", "));
  }

  /** Parses an address typed instead of a pod; empty if {@code text} is not one. */
  static Optional<InetAddress> address(String text) {
    try {
      return Optional.of(dev.netpol.api.model.Cidr.parseAddress(text.trim(), "address", text));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }
}
