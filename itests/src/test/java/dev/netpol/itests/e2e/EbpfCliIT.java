package dev.netpol.itests.e2e;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * {@code netpol ebpf} as an operator uses it on a standalone node with one pod (x/b) selected by a
 * policy: every subcommand against the node's pin root, then the node stopped with SIGTERM — the
 * pins still answer {@code ebpf progs} and the kernel still enforces the policy; restarted on the
 * same pins, it adopts the pod without reloading it and follows policy changes again.
 */
@EnabledIfSystemProperty(named = "netpol.kernel.tests", matches = "true")
class EbpfCliIT {
  private static final String ALLOW_80 =
      """
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {namespace: x, name: allow-a-to-b-80}
      spec:
        podSelector: {matchLabels: {pod: b}}
        policyTypes: [Ingress]
        ingress:
        - from: [{podSelector: {matchLabels: {pod: a}}}]
          ports: [{port: 80, protocol: TCP}]
      """;

  @Test
  void everySubcommandWorksAndEnforcementOutlivesTheAgent() throws Exception {
    long testStart = System.nanoTime();
    try (E2eRun run = new E2eRun()) {
      NetpolProcess s =
          NetpolProcess.standalone(
              "np-s", run.work.resolve("s"), run.pinRoot("s"), "NPE" + run.hex);
      AtomicReference<NetpolProcess> node = new AtomicReference<>(s);
      run.onClose(() -> node.get().stop(20));
      String root = s.pinRoot.toString();
      s.awaitInSync(60);
      Path kc = s.kubeconfig();
      LabCli lab =
          new LabCli(kc, run.work.resolve("lab"), "198.18.129.0/24", "fd00:198:18:81::/64");
      run.onClose(() -> lab.down(node.get().alive()));
      List<Cli.Result> added =
          Cli.netpolParallel(
              lab.args(
                  "pod", "add", "x/a", "--labels", "pod=a", "--serve", "80/tcp", "--node", "np-s"),
              lab.args(
                  "pod",
                  "add",
                  "x/b",
                  "--labels",
                  "pod=b",
                  "--serve",
                  "80/tcp,81/tcp",
                  "--node",
                  "np-s"));
      LabCli.Pod pa = LabCli.parseAdded(added.get(0));
      LabCli.Pod pb = LabCli.parseAdded(added.get(1));
      assertTrue(TcpProbe.connects(pa.netns(), pb.ipv4(), 81, 1), "b serves 81 before any policy");

      long t0 = System.nanoTime();
      Cli.Result applied = run.apply(kc, "allow", ALLOW_80);
      assertEquals(0, applied.exit(), applied.toString());
      long closed = TcpProbe.until(false, pa.netns(), pb.ipv4(), 81, t0, 15_000);
      assertTrue(closed >= 0, "policy not enforced: a -> b:81 still connects\n" + s.tail());
      assertTrue(TcpProbe.connects(pa.netns(), pb.ipv4(), 80, 1), "a -> b:80 is allowed");
      System.out.printf("EbpfCliIT: apply-to-enforced %d ms (a->b:81 closed)%n", closed);

      // progs, loaded, maps
      List<Cli.Result> r =
          Cli.netpolParallel(
              List.of("ebpf", "--root", root, "progs"),
              List.of("ebpf", "--root", root, "loaded"),
              List.of("ebpf", "--root", root, "maps"));
      Cli.Result progs = r.get(0);
      Cli.Result loaded = r.get(1);
      Cli.Result maps = r.get(2);
      String ingressId = progId(progs, "x/b", "ingress");
      String egressId = progId(progs, "x/b", "egress");
      assertNotEquals(ingressId, egressId, progs.toString());

      assertEquals(0, loaded.exit(), loaded.toString());
      assertTrue(
          loaded.out().contains("INGRESS_PROG") && loaded.out().contains("EGRESS_PROG"),
          loaded.toString());
      String row =
          row(loaded, "x/b")
              .orElseThrow(() -> new AssertionError("loaded names no x/b:\n" + loaded));
      List<String> cols = List.of(row.split("\t"));
      assertTrue(
          cols.get(1).startsWith(pb.hostLink() + "("),
          "x/b's interface is its host link " + pb.hostLink() + ": " + row);
      assertEquals(ingressId, cols.get(2), "ingress program of x/b: " + row);
      assertEquals(egressId, cols.get(3), "egress program of x/b: " + row);
      assertTrue(row.contains("enforcing"), row);

      assertEquals(0, maps.exit(), maps.toString());
      String rulesIn =
          maps.out()
              .lines()
              .filter(l -> l.contains("np_rules") && l.contains("rules of x/b "))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no ingress rule map of x/b:\n" + maps))
              .split("\t")[0];
      assertTrue(maps.out().contains(root + "/global/np_conntrack"), maps.toString());
      assertTrue(maps.out().contains(root + "/global/np_policy"), maps.toString());

      // one allowed connection, then dump-map, conntrack, events and cost (under steady traffic)
      assertTrue(TcpProbe.connects(pa.netns(), pb.ipv4(), 80, 1));
      Process traffic = TcpProbe.traffic(pa.netns(), pb.ipv4(), 80, 81, 30);
      run.onClose(traffic::destroyForcibly);
      try {
        r =
            Cli.netpolParallel(
                List.of("ebpf", "--root", root, "dump-map", rulesIn),
                List.of("ebpf", "--root", root, "conntrack"),
                List.of("ebpf", "--root", root, "events", "2"),
                List.of("ebpf", "--root", root, "cost", "2"));
      } finally {
        traffic.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
      Cli.Result dump = r.get(0);
      Cli.Result conntrack = r.get(1);
      Cli.Result events = r.get(2);
      Cli.Result cost = r.get(3);
      assertEquals(0, dump.exit(), dump.toString());
      assertTrue(
          dump.out().contains("np_rules") && dump.out().contains("LPM_TRIE"), dump.toString());
      assertTrue(
          dump.out().contains("ADDR " + pa.ipv4() + "/32"), "rule map names a's address: " + dump);
      assertTrue(
          dump.out()
              .lines()
              .anyMatch(
                  l -> l.startsWith("ingress PORT") && l.contains("proto=6 port=80/16 allow")),
          "rule map allows TCP 80: " + dump);
      assertFalse(dump.out().contains("port=81"), dump.toString());
      assertEquals(0, conntrack.exit(), conntrack.toString());
      assertTrue(
          conntrack
              .out()
              .lines()
              .anyMatch(l -> l.contains(pa.ipv4() + ":") && l.contains("-> " + pb.ipv4() + ":80")),
          "conntrack has a -> b:80: " + conntrack);
      assertEquals(0, events.exit(), events.toString());
      assertTrue(
          events
              .out()
              .lines()
              .anyMatch(
                  l ->
                      l.matches(
                          ".*(ALLOW|DENY) proto=6 "
                              + pa.ipv4().replace(".", "\\.")
                              + ":\\d+ -> "
                              + pb.ipv4().replace(".", "\\.")
                              + ":8[01] .*")),
          "at least one verdict event for a -> b (the agent's flow log reads the same ring buffer): "
              + events);

      assertEquals(0, cost.exit(), cost.toString());
      for (String id : List.of(ingressId, egressId)) {
        String[] costRow =
            cost.out()
                .lines()
                .map(l -> l.split("\t"))
                .filter(c -> c.length == 6 && c[1].equals(id))
                .findFirst()
                .orElseThrow(
                    () -> new AssertionError("no cost row for program " + id + ": " + cost));
        // the traffic passed both programs while the statistics were on, each run took some time
        assertTrue(Long.parseLong(costRow[2]) > 0, "runs of program " + id + ": " + cost);
        assertTrue(Double.parseDouble(costRow[4]) > 0, "ns per run of program " + id + ": " + cost);
      }

      // the agent goes away (SIGTERM); the pins and the enforcement stay
      assertEquals("1", forwarding(pa.hostLink()), "the lab turns on forwarding on a's host link");
      int exit = s.stop(30);
      assertEquals(143, exit, "exit status of a SIGTERM'd netpol\n" + s.tail());
      assertTrue(s.log().contains("the kernel keeps enforcing"), s.tail());
      long stopped = System.nanoTime();
      // Pods route through their host links; the lab enables IPv4 forwarding per link. A node
      // that stops must not take that away from pods it leaves enforced.
      String forwardingReset =
          "IPv4 forwarding on a's host link "
              + pa.hostLink()
              + " after the standalone stopped (writing net.ipv4.ip_forward resets every interface's forwarding):\n"
              + s.log().lines().filter(l -> l.contains("ip_forward")).toList();
      if (Boolean.getBoolean("netpol.e2e.tolerateForwardingReset")
          && !"1".equals(forwarding(pa.hostLink()))) {
        // known product bug, tolerated on request to run the remaining checks: re-enable
        // forwarding on this test's own two links only (never the global switch)
        System.out.println("EbpfCliIT: KNOWN BUG tolerated: " + forwardingReset.replace('\n', ' '));
        Files.writeString(Path.of("/proc/sys/net/ipv4/conf", pa.hostLink(), "forwarding"), "1");
        Files.writeString(Path.of("/proc/sys/net/ipv4/conf", pb.hostLink(), "forwarding"), "1");
      }
      assertEquals("1", forwarding(pa.hostLink()), forwardingReset);
      var afterStop =
          CompletableFuture.supplyAsync(() -> Cli.netpol("ebpf", "--root", root, "progs"));
      assertFalse(
          TcpProbe.connects(pa.netns(), pb.ipv4(), 81, 1),
          "denied a -> b:81 stays denied with the agent down");
      assertTrue(
          TcpProbe.connects(pa.netns(), pb.ipv4(), 80, 1),
          "allowed a -> b:80 still works with the agent down");
      long enforcedDown = (System.nanoTime() - stopped) / 1_000_000;
      Cli.Result after = afterStop.join();
      assertEquals(
          ingressId,
          progId(after, "x/b", "ingress"),
          "same ingress program, from the pins: " + after);
      assertEquals(
          egressId, progId(after, "x/b", "egress"), "same egress program, from the pins: " + after);

      // the node comes back on the same data dir and pins: it adopts the pinned pod without
      // reloading it, keeps enforcing, and then follows policy changes again
      Files.move(s.log, s.dataDir.resolve("netpol-1.log"));
      NetpolProcess s2 = NetpolProcess.standalone("np-s", s.dataDir, s.pinRoot, "NPE" + run.hex);
      node.set(s2);
      s2.awaitInSync(60);
      assertTrue(
          s2.log().matches("(?s).*pin root " + root + ", [1-9]\\d* pinned pods adopted.*"),
          s2.tail());
      assertFalse(
          TcpProbe.connects(pa.netns(), pb.ipv4(), 81, 1), "a -> b:81 denied after the restart");
      Cli.Result restarted = Cli.netpol("ebpf", "--root", root, "progs");
      assertEquals(
          ingressId,
          progId(restarted, "x/b", "ingress"),
          "unchanged pod not reloaded: " + restarted);
      assertEquals(
          egressId, progId(restarted, "x/b", "egress"), "unchanged pod not reloaded: " + restarted);
      long t2 = System.nanoTime();
      Cli.Result deleted =
          E2eRun.kubectl(kc, "delete", "networkpolicy", "-n", "x", "allow-a-to-b-80");
      assertEquals(0, deleted.exit(), deleted.toString());
      long reopened = TcpProbe.until(true, pa.netns(), pb.ipv4(), 81, t2, 15_000);
      assertTrue(
          reopened >= 0, "the restarted agent does not follow the policy's deletion\n" + s2.tail());
      System.out.printf(
          "EbpfCliIT: enforcement checked %d ms after the agent stopped; after the restart "
              + "delete-to-reopened %d ms; checks done after %d ms%n",
          enforcedDown, reopened, (System.nanoTime() - testStart) / 1_000_000);
    }
  }

  @Test
  void helpOfEverySubcommandAndBadInput() {
    List<String> subs = List.of("progs", "maps", "loaded", "dump-map", "conntrack", "events");
    List<List<String>> cmds = new ArrayList<>();
    cmds.add(List.of("ebpf", "--help"));
    for (String sub : subs) {
      cmds.add(List.of("ebpf", sub, "--help"));
    }
    cmds.add(List.of("ebpf", "dump-map"));
    cmds.add(List.of("ebpf", "frobnicate"));
    @SuppressWarnings("unchecked")
    List<Cli.Result> r = Cli.netpolParallel(cmds.toArray(new List[0]));
    for (int i = 0; i <= subs.size(); i++) {
      Cli.Result help = r.get(i);
      assertEquals(0, help.exit(), help.toString());
      assertTrue(help.out().contains("usage: netpol ebpf"), help.toString());
      for (String sub : subs) {
        assertTrue(help.out().contains("  " + sub), "help names " + sub + ": " + help);
      }
      assertTrue(help.out().contains("--root DIR"), help.toString());
    }
    Cli.Result noId = r.get(subs.size() + 1);
    assertEquals(2, noId.exit(), noId.toString());
    assertTrue(noId.out().contains("dump-map needs a numeric map id"), noId.toString());
    Cli.Result unknown = r.get(subs.size() + 2);
    assertEquals(2, unknown.exit(), unknown.toString());
    assertTrue(unknown.out().contains("unknown command 'frobnicate'"), unknown.toString());
  }

  private static String forwarding(String link) throws java.io.IOException {
    return Files.readString(Path.of("/proc/sys/net/ipv4/conf", link, "forwarding")).trim();
  }

  private static Optional<String> row(Cli.Result r, String pod) {
    return r.out().lines().filter(l -> l.startsWith(pod + "\t")).findFirst();
  }

  /** The PROG_ID column of {@code ebpf progs} for this pod and direction. */
  private static String progId(Cli.Result progs, String pod, String direction) {
    assertEquals(0, progs.exit(), progs.toString());
    return progs
        .out()
        .lines()
        .filter(l -> l.startsWith(pod + "\t" + direction + "\t"))
        .findFirst()
        .orElseThrow(
            () -> new AssertionError("progs lists no " + pod + " " + direction + ":\n" + progs))
        .split("\t")[2];
  }
}
