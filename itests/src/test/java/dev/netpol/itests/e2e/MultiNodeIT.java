package dev.netpol.itests.e2e;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Three nodes on one machine, driven as a user would: {@code netpol standalone} (np-s: API,
 * controller, its own agent) and two {@code netpol node} agents (np-a, np-b) sharing its API
 * through DIR/kubeconfig, each with its own pin root. Pods x/a on np-a and x/b on np-b. Checks
 * enforcement across nodes, that each node programs only its own pods, that each PolicyEndpoint is
 * labelled for exactly the nodes hosting its selected pods, and prints the apply-to-enforced times.
 */
@EnabledIfSystemProperty(named = "netpol.kernel.tests", matches = "true")
class MultiNodeIT {
  private static final String DENY =
      """
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {namespace: x, name: default-deny}
      spec: {podSelector: {}, policyTypes: [Ingress]}
      """;
  private static final String ALLOW =
      """
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {namespace: x, name: allow-a-to-b}
      spec:
        podSelector: {matchLabels: {pod: b}}
        policyTypes: [Ingress]
        ingress:
        - from: [{podSelector: {matchLabels: {pod: a}}}]
          ports: [{port: 80, protocol: TCP}]
      """;

  @Test
  void policiesAreEnforcedAcrossNodesAndEachNodeProgramsOnlyItsOwnPods() throws Exception {
    long testStart = System.nanoTime();
    try (E2eRun run = new E2eRun()) {
      NetpolProcess s =
          NetpolProcess.standalone(
              "np-s",
              run.work.resolve("s"),
              run.pinRoot("s"),
              "NPE" + run.hex,
              // default-deny (2 pods) lists its selected pods in one object per node,
              // allow-a-to-b (1 pod) in its rules chunk: both layouts reach real agents
              List.of("netpol.controller.selection.per-node-above=1"));
      run.onClose(() -> s.stop(20));
      s.awaitLog("kubeconfig written to", 60);
      Path kc = s.kubeconfig();
      NetpolProcess a = NetpolProcess.node("np-a", kc, run.work.resolve("a"), run.pinRoot("a"));
      run.onClose(() -> a.stop(20));
      NetpolProcess b = NetpolProcess.node("np-b", kc, run.work.resolve("b"), run.pinRoot("b"));
      run.onClose(() -> b.stop(20));
      for (NetpolProcess n : List.of(s, a, b)) {
        n.awaitInSync(60);
      }
      System.out.printf("MultiNodeIT: three nodes in sync after %d ms%n", ms(testStart));

      LabCli lab =
          new LabCli(kc, run.work.resolve("lab"), "198.18.128.0/24", "fd00:198:18:80::/64");
      run.onClose(() -> lab.down(s.alive()));
      List<Cli.Result> added =
          Cli.netpolParallel(
              lab.args(
                  "pod", "add", "x/a", "--labels", "pod=a", "--serve", "80/tcp", "--node", "np-a"),
              lab.args(
                  "pod", "add", "x/b", "--labels", "pod=b", "--serve", "80/tcp", "--node", "np-b"));
      LabCli.Pod pa = LabCli.parseAdded(added.get(0));
      LabCli.Pod pb = LabCli.parseAdded(added.get(1));

      // no policy: a reaches b (the lab's own probe, as a user runs it)
      Cli.Result open = lab.probe("x/a", "x/b", 80);
      assertEquals(0, open.exit(), "a -> b without a policy: " + open);
      assertTrue(open.out().contains("connected (reply: b)"), open.toString());

      // default deny in x: both directions close (enforced by np-a for a, np-b for b)
      long t0 = System.nanoTime();
      Cli.Result applied = run.apply(kc, "deny", DENY);
      // (kubectl returns after the API stored the policy; enforcement may already have begun)
      assertEquals(0, applied.exit(), applied.toString());
      long applyDeny = ms(t0);
      // both directions probed at once, so each time is its own node's
      var toA =
          java.util.concurrent.CompletableFuture.supplyAsync(
              () -> TcpProbe.until(false, pb.netns(), pa.ipv4(), 80, t0, 15_000));
      long denyToB = TcpProbe.until(false, pa.netns(), pb.ipv4(), 80, t0, 15_000);
      long denyToA = toA.join();
      assertTrue(
          denyToA >= 0, "default-deny not enforced on np-a (b -> a still connects)\n" + a.tail());
      assertTrue(
          denyToB >= 0, "default-deny not enforced on np-b (a -> b still connects)\n" + b.tail());

      // allow pod=a -> pod=b on 80: a -> b reopens, b -> a stays closed
      long t1 = System.nanoTime();
      applied = run.apply(kc, "allow", ALLOW);
      assertEquals(0, applied.exit(), applied.toString());
      long applyAllow = ms(t1);
      long allowMs = TcpProbe.until(true, pa.netns(), pb.ipv4(), 80, t1, 15_000);
      assertTrue(allowMs >= 0, "allow a -> b not enforced on np-b\n" + b.tail());
      System.out.printf(
          "MultiNodeIT: apply-to-enforced (from the start of kubectl apply to the first probe that saw it; "
              + "probe cadence ~0.1 s): default-deny b->a closed on np-a %d ms, a->b closed on np-b %d ms "
              + "(kubectl apply itself %d ms); allow a->b open on np-b %d ms (kubectl apply %d ms)%n",
          denyToA, denyToB, applyDeny, allowMs, applyAllow);

      List<Cli.Result> probes =
          Cli.netpolParallel(
              lab.args("probe", "x/a", "x/b", "80", "--timeout", "1s"),
              lab.args("probe", "x/b", "x/a", "80", "--timeout", "1s"));
      assertEquals(0, probes.get(0).exit(), "a -> b must be allowed: " + probes.get(0));
      assertEquals(1, probes.get(1).exit(), "b -> a must be denied: " + probes.get(1));
      assertTrue(probes.get(1).out().contains("blocked"), probes.get(1).toString());

      // each node programmed only its own pods
      List<Cli.Result> progs =
          Cli.netpolParallel(
              List.of("ebpf", "--root", s.pinRoot.toString(), "progs"),
              List.of("ebpf", "--root", a.pinRoot.toString(), "progs"),
              List.of("ebpf", "--root", b.pinRoot.toString(), "progs"));
      assertEquals(List.of(), podsIn(progs.get(0)), "np-s hosts no pod: " + progs.get(0));
      assertEquals(
          List.of("x/a egress", "x/a ingress"), podsIn(progs.get(1)), "np-a: " + progs.get(1));
      assertEquals(
          List.of("x/b egress", "x/b ingress"), podsIn(progs.get(2)), "np-b: " + progs.get(2));

      // PolicyEndpoints: labelled for exactly the nodes hosting selected pods, so each agent's
      // label-selected watch sees only its share
      assertEquals(
          "default-deny-0 default-deny@np-a",
          policyEndpoints(kc, "np-a"),
          "PolicyEndpoints np-a watches");
      assertEquals(
          "allow-a-to-b-0 default-deny-0 default-deny@np-b",
          policyEndpoints(kc, "np-b"),
          "PolicyEndpoints np-b watches");
      assertEquals("", policyEndpoints(kc, "np-s"), "PolicyEndpoints np-s watches");

      // a pod selected by allow-a-to-b appears on np-a: its chunk gains np-a's label; it goes: the
      // label goes
      Cli.Result created =
          run.apply(
              kc,
              "pod-c",
              """
          apiVersion: v1
          kind: Pod
          metadata: {namespace: x, name: c, labels: {pod: b}}
          spec: {nodeName: np-a, containers: [{name: c, image: none}]}
          """);
      assertEquals(0, created.exit(), created.toString());
      Cli.Result status =
          E2eRun.kubectl(
              kc,
              "patch",
              "pod",
              "-n",
              "x",
              "c",
              "--subresource=status",
              "--type=merge",
              "-p",
              "{\"status\":{\"phase\":\"Running\",\"podIP\":\"198.18.128.250\",\"podIPs\":[{\"ip\":\"198.18.128.250\"}]}}");
      assertEquals(0, status.exit(), status.toString());
      long t2 = System.nanoTime();
      awaitPolicyEndpoints(
          kc, "np-a", "allow-a-to-b-0 allow-a-to-b@np-a default-deny-0 default-deny@np-a");
      System.out.printf("MultiNodeIT: np-a's label on allow-a-to-b after %d ms%n", ms(t2));
      assertEquals(0, E2eRun.kubectl(kc, "delete", "pod", "-n", "x", "c").exit());
      awaitPolicyEndpoints(kc, "np-a", "default-deny-0 default-deny@np-a");
      System.out.printf("MultiNodeIT: checks done after %d ms%n", ms(testStart));
    }
    System.out.printf("MultiNodeIT: total with clean-up %d ms%n", ms(testStart));
  }

  private static long ms(long since) {
    return (System.nanoTime() - since) / 1_000_000;
  }

  /** "ns/name direction" of each program row of {@code ebpf progs}, sorted. */
  private static List<String> podsIn(Cli.Result progs) {
    assertEquals(0, progs.exit(), progs.toString());
    return progs
        .out()
        .lines()
        .filter(l -> l.matches("\\S+/\\S+\\t(ingress|egress)\\t.*"))
        .map(l -> l.split("\t")[0] + " " + l.split("\t")[1])
        .sorted()
        .toList();
  }

  private static void awaitPolicyEndpoints(Path kc, String node, String want)
      throws InterruptedException {
    long end = System.currentTimeMillis() + 10_000;
    String seen;
    while (!(seen = policyEndpoints(kc, node)).equals(want)) {
      assertTrue(
          System.currentTimeMillis() < end,
          "PolicyEndpoints labelled for " + node + ": " + seen + ", want " + want);
      Thread.sleep(100);
    }
  }

  /**
   * The PolicyEndpoints in x carrying the label of {@code node}, sorted, space-separated: rules
   * chunks by name, selection objects as {@code <policy>@<node>}.
   */
  private static String policyEndpoints(Path kc, String node) {
    Cli.Result r =
        E2eRun.kubectl(
            kc,
            "get",
            "policyendpoints",
            "-n",
            "x",
            "-l",
            "node.policy.netpol.dev/" + node,
            "-o",
            "jsonpath={range .items[*]}{.metadata.name} {.spec.policyRef.name} {.spec.node}{\"\\n\"}{end}");
    assertEquals(0, r.exit(), r.toString());
    return String.join(
        " ",
        r.out()
            .lines()
            .map(l -> l.trim().split("\\s+"))
            .filter(w -> w.length > 0 && !w[0].isEmpty())
            .map(w -> w.length >= 3 ? w[1] + "@" + w[2] : w[0])
            .sorted()
            .toList());
  }
}
