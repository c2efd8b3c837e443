package dev.netpol.console.internal.pages;

import dev.netpol.api.status.AgentStatus;
import dev.netpol.api.status.ControllerStatus;
import dev.netpol.api.status.PolicyStatus;
import dev.netpol.platform.guice.ServiceRef;
import dev.netpol.policyendpoint.EndpointEntry;
import dev.netpol.policyendpoint.EndpointPort;
import dev.netpol.policyendpoint.NodeLabels;
import dev.netpol.policyendpoint.PodSelectorEndpoint;
import dev.netpol.policyendpoint.PolicyEndpoint;
import dev.netpol.policyendpoint.PolicyEndpointSpec;
import dev.netpol.watch.KubeCluster;
import io.fabric8.kubernetes.api.model.Condition;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * NetworkPolicies and their PolicyEndpoints: what the controller resolved (from {@link
 * ControllerStatus} where a controller runs), and, on {@code ?policy=namespace/name}, the
 * PolicyEndpoint chunks themselves with their resolved peers, read on demand from the API.
 */
public final class PoliciesPage extends Page {
  private final ServiceRef<ControllerStatus> controller;
  private final ServiceRef<AgentStatus> agent;
  private final ServiceRef<KubeCluster> cluster;

  public PoliciesPage(
      Tokens tokens,
      ServiceRef<ControllerStatus> controller,
      ServiceRef<AgentStatus> agent,
      ServiceRef<KubeCluster> cluster) {
    super("netpol-policies", "NetworkPolicies", tokens);
    this.controller = controller;
    this.agent = agent;
    this.cluster = cluster;
  }

  @Override
  protected void render(HttpServletRequest req, Html h) {
    String policy = param(req, "policy");
    if (!policy.isEmpty()) {
      detail(req, h, policy);
      return;
    }
    Optional<ControllerStatus> c = controller.current();
    if (c.isPresent() && !c.get().policies().isEmpty()) {
      fromController(req, h, c.get());
      return;
    }
    c.ifPresent(
        s ->
            h.statline(
                "Controller "
                    + s.identity()
                    + (s.leader() ? " (leader)" : " (standby)")
                    + " · "
                    + s.writes()
                    + " writes · "
                    + s.errors()
                    + " errors"));
    fromPolicyEndpoints(req, h);
  }

  private void fromController(HttpServletRequest req, Html h, ControllerStatus s) {
    List<PolicyStatus> policies = new ArrayList<>(s.policies());
    policies.sort(Comparator.comparing(PolicyStatus::namespace).thenComparing(PolicyStatus::name));
    long unresolved = policies.stream().filter(p -> !p.resolved()).count();
    h.statline(
        "Controller "
            + s.identity()
            + (s.leader() ? " (leader)" : " (standby)")
            + " · "
            + policies.size()
            + " policies, "
            + unresolved
            + " unresolved · "
            + s.writes()
            + " PolicyEndpoint writes · "
            + s.errors()
            + " errors");
    h.table(
        "netpol-policies",
        List.of("Policy", "Resolved", "Selected pods", "Ingress peers", "Egress peers", "Chunks"));
    for (PolicyStatus p : policies) {
      String key = p.namespace() + "/" + p.name();
      h.row(
          List.of(
              Html.link(self(req) + "?policy=" + Html.url(key), key),
              p.resolved()
                  ? Html.cls("netpol-ok", "yes")
                  : Html.cls("netpol-bad", "no") + " " + Html.esc(p.message()),
              String.valueOf(p.selectedPods()),
              String.valueOf(p.ingressEntries()),
              String.valueOf(p.egressEntries()),
              Html.esc(String.join(", ", p.chunks()))));
    }
    h.end();
  }

  /** Without a controller here: the PolicyEndpoints of this node (or all), grouped by policy. */
  private void fromPolicyEndpoints(HttpServletRequest req, Html h) {
    Optional<KubeCluster> k = cluster.current();
    if (k.isEmpty()) {
      h.statline("No controller runs here and no cluster is connected.");
      return;
    }
    Optional<String> node = agent.current().map(AgentStatus::nodeName);
    List<PolicyEndpoint> pes;
    try {
      var all = k.get().client().resources(PolicyEndpoint.class).inAnyNamespace();
      pes =
          node.isPresent()
              ? all.withLabel(NodeLabels.selectorFor(node.get())).list().getItems()
              : all.list().getItems();
    } catch (RuntimeException e) {
      h.error(
          "PolicyEndpoints could not be listed from " + k.get().describe() + ": " + e.getMessage());
      return;
    }
    h.statline(
        (controller.current().isPresent() ? "" : "No controller runs in this container. ")
            + pes.size()
            + " PolicyEndpoints"
            + node.map(n -> " labelled for node " + n).orElse("")
            + " in "
            + k.get().describe());
    Map<String, List<PolicyEndpoint>> byPolicy = new TreeMap<>();
    for (PolicyEndpoint pe : pes) {
      byPolicy.computeIfAbsent(policyOf(pe), x -> new ArrayList<>()).add(pe);
    }
    h.table(
        "netpol-policies",
        List.of("Policy", "Isolates", "Selected pods", "Ingress peers", "Egress peers", "Chunks"));
    byPolicy.forEach(
        (key, chunks) -> {
          PolicyEndpointSpec first = chunks.get(0).getSpec();
          h.row(
              List.of(
                  Html.link(self(req) + "?policy=" + Html.url(key), key),
                  Html.esc(first == null ? "" : String.join(", ", first.getPodIsolation())),
                  String.valueOf(sum(chunks, s -> s.getPodSelectorEndpoints().size())),
                  String.valueOf(sum(chunks, s -> s.getIngress().size())),
                  String.valueOf(sum(chunks, s -> s.getEgress().size())),
                  Html.esc(
                      chunks.stream()
                          .map(pe -> pe.getMetadata().getName())
                          .sorted()
                          .collect(Collectors.joining(", ")))));
        });
    h.end();
  }

  private static int sum(
      List<PolicyEndpoint> chunks, java.util.function.ToIntFunction<PolicyEndpointSpec> f) {
    return chunks.stream()
        .filter(pe -> pe.getSpec() != null)
        .mapToInt(pe -> f.applyAsInt(pe.getSpec()))
        .sum();
  }

  private static String policyOf(PolicyEndpoint pe) {
    PolicyEndpointSpec s = pe.getSpec();
    return s == null || s.getPolicyRef() == null
        ? pe.getMetadata().getNamespace() + "/?"
        : s.getPolicyRef().getNamespace() + "/" + s.getPolicyRef().getName();
  }

  private void detail(HttpServletRequest req, Html h, String policy) {
    h.raw("<p>").raw(Html.link(self(req), "← all policies")).raw("</p>");
    int slash = policy.indexOf('/');
    if (slash <= 0) {
      h.error("'" + policy + "' is not namespace/name");
      return;
    }
    String ns = policy.substring(0, slash);
    String name = policy.substring(slash + 1);
    h.h2("NetworkPolicy " + policy);
    controller
        .current()
        .flatMap(
            c ->
                c.policies().stream()
                    .filter(p -> p.namespace().equals(ns) && p.name().equals(name))
                    .findFirst())
        .ifPresent(
            p ->
                h.statline(
                    (p.resolved() ? "resolved" : "NOT resolved: " + p.message())
                        + " · selects "
                        + p.selectedPods()
                        + " pods · "
                        + p.ingressEntries()
                        + " ingress and "
                        + p.egressEntries()
                        + " egress peers · chunks "
                        + String.join(", ", p.chunks())));
    Optional<KubeCluster> k = cluster.current();
    if (k.isEmpty()) {
      h.note("No cluster is connected: the PolicyEndpoints themselves cannot be read.");
      return;
    }
    List<PolicyEndpoint> chunks;
    try {
      chunks =
          k
              .get()
              .client()
              .resources(PolicyEndpoint.class)
              .inNamespace(ns)
              .list()
              .getItems()
              .stream()
              .filter(pe -> policy.equals(policyOf(pe)))
              .sorted(Comparator.comparing(pe -> pe.getMetadata().getName()))
              .toList();
    } catch (RuntimeException e) {
      h.error("PolicyEndpoints could not be listed: " + e.getMessage());
      return;
    }
    if (chunks.isEmpty()) {
      h.note("No PolicyEndpoint refers to " + policy + ".");
    }
    for (PolicyEndpoint pe : chunks) {
      chunk(h, pe);
    }
  }

  private static void chunk(Html h, PolicyEndpoint pe) {
    PolicyEndpointSpec s = pe.getSpec();
    h.h2("PolicyEndpoint " + pe.getMetadata().getName());
    if (s == null) {
      h.error("no spec");
      return;
    }
    h.statline(
        (s.getChunk() == null
                ? "chunk ?"
                : "chunk "
                    + (s.getChunk().getIndex() + 1)
                    + " of "
                    + s.getChunk().getCount()
                    + " (generation "
                    + s.getChunk().getGeneration()
                    + ")")
            + " · isolates "
            + (s.getPodIsolation().isEmpty() ? "nothing" : String.join(", ", s.getPodIsolation()))
            + " · selects "
            + s.getPodSelectorEndpoints().stream()
                .map(PodSelectorEndpoint::toString)
                .collect(Collectors.joining(", ")));
    if (pe.getStatus() != null) {
      for (Condition c : pe.getStatus().getConditions()) {
        String line =
            c.getType()
                + "="
                + c.getStatus()
                + ": "
                + (c.getMessage() == null ? "" : c.getMessage());
        if ("True".equals(c.getStatus())) {
          h.note(line);
        } else {
          h.error(line);
        }
      }
    }
    entries(h, "ingress (from)", s.getIngress());
    entries(h, "egress (to)", s.getEgress());
  }

  private static void entries(Html h, String title, List<EndpointEntry> entries) {
    if (entries.isEmpty()) {
      h.note("No " + title + " peers.");
      return;
    }
    h.table("netpol-peers", List.of("Peer " + title, "Except", "Ports", "Targets"));
    for (EndpointEntry e : entries) {
      h.row(
          List.of(
              Html.esc(e.getCidr()),
              Html.esc(e.getExcept() == null ? "" : String.join(", ", e.getExcept())),
              Html.esc(
                  e.getPorts() == null || e.getPorts().isEmpty()
                      ? "all"
                      : e.getPorts().stream()
                          .map(PoliciesPage::port)
                          .collect(Collectors.joining(", "))),
              Html.esc(e.getTargets() == null ? "" : String.join(", ", e.getTargets()))));
    }
    h.end();
  }

  private static String port(EndpointPort p) {
    String proto = p.getProtocol() == null ? "TCP" : p.getProtocol();
    if (p.getPort() == null) {
      return proto;
    }
    return proto + "/" + p.getPort() + (p.getEndPort() == null ? "" : "-" + p.getEndPort());
  }
}
