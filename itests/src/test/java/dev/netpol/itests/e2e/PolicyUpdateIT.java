package dev.netpol.itests.e2e;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Issue 8: an isolated pod never opens while its policy is updated. A standalone node with lab pods
 * x/server (selected), x/friend (allowed by every version) and y/intruder (allowed by none). The
 * policy's 1,200 ipBlock peers fill two PolicyEndpoint chunks, which the controller rewrites one at
 * a time; it is replaced 20 times while the intruder opens a new connection to the server every 10
 * ms and the friend every 50 ms. Not one of the intruder's attempts may get through.
 */
@EnabledIfSystemProperty(named = "netpol.kernel.tests", matches = "true")
class PolicyUpdateIT {
  static final int PEERS = 1200;
  static final int UPDATES = 20;

  /** Version {@code v}: {@link #PEERS} /32 peers of its own, plus the friend. */
  static String policy(int v, String friendIp) {
    StringBuilder b = new StringBuilder();
    b.append(
        """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {namespace: x, name: many-peers}
        spec:
          podSelector: {matchLabels: {pod: server}}
          policyTypes: [Ingress]
          ingress:
          - ports: [{port: 80, protocol: TCP}]
            from:
        """);
    b.append("    - ipBlock: {cidr: ").append(friendIp).append("/32}\n");
    for (int i = 0; i < PEERS; i++) {
      b.append("    - ipBlock: {cidr: 10.")
          .append(v % 250)
          .append('.')
          .append(i / 250)
          .append('.')
          .append(i % 250 + 1)
          .append("/32}\n");
    }
    return b.toString();
  }

  @Test
  void anIsolatedPodNeverOpensWhileAManyChunkPolicyIsReplaced() throws Exception {
    long testStart = System.nanoTime();
    try (E2eRun run = new E2eRun()) {
      NetpolProcess s =
          NetpolProcess.standalone(
              "np-s", run.work.resolve("s"), run.pinRoot("s"), "NPE" + run.hex);
      run.onClose(() -> s.stop(20));
      s.awaitInSync(60);
      Path kc = s.kubeconfig();
      LabCli lab =
          new LabCli(kc, run.work.resolve("lab"), "198.18.130.0/24", "fd00:198:18:82::/64");
      run.onClose(() -> lab.down(s.alive()));
      List<Cli.Result> added =
          Cli.netpolParallel(
              lab.args(
                  "pod",
                  "add",
                  "x/server",
                  "--labels",
                  "pod=server",
                  "--serve",
                  "80/tcp",
                  "--node",
                  "np-s"),
              lab.args("pod", "add", "x/friend", "--labels", "pod=friend", "--node", "np-s"),
              lab.args("pod", "add", "y/intruder", "--labels", "pod=intruder", "--node", "np-s"));
      LabCli.Pod server = LabCli.parseAdded(added.get(0));
      LabCli.Pod friend = LabCli.parseAdded(added.get(1));
      LabCli.Pod intruder = LabCli.parseAdded(added.get(2));
      assertTrue(TcpProbe.connects(intruder.netns(), server.ipv4(), 80, 1), "open before");

      Cli.Result applied = run.apply(kc, "v0", policy(0, friend.ipv4()));
      assertEquals(0, applied.exit(), applied.toString());
      String gen = awaitGeneration(kc, Set.of());
      assertTrue(
          TcpProbe.until(false, intruder.netns(), server.ipv4(), 80, System.nanoTime(), 15_000)
              >= 0,
          "version 0 never enforced\n" + s.tail());
      assertTrue(TcpProbe.connects(friend.netns(), server.ipv4(), 80, 1), "friend allowed");

      FlowProber intruding =
          FlowProber.start(
              run.work,
              "intruder",
              FlowProber.Mode.TCP_NEW,
              intruder.netns(),
              server.ipv4(),
              80,
              10);
      run.onClose(intruding::close);
      FlowProber befriended =
          FlowProber.start(
              run.work, "friend", FlowProber.Mode.TCP_NEW, friend.netns(), server.ipv4(), 80, 50);
      run.onClose(befriended::close);
      long t0 = System.nanoTime();
      Set<String> seen = new TreeSet<>(Set.of(gen));
      for (int v = 1; v <= UPDATES; v++) {
        applied = run.apply(kc, "v" + v, policy(v, friend.ipv4()));
        assertEquals(0, applied.exit(), applied.toString());
        gen = awaitGeneration(kc, seen);
        seen.add(gen);
        Thread.sleep(200); // let the agent program it; the next write starts another window
      }
      long updatesMs = (System.nanoTime() - t0) / 1_000_000;
      FlowProber.Result in = intruding.stop();
      FlowProber.Result fr = befriended.stop();
      System.out.printf(
          "PolicyUpdateIT: %d replacements of a %d-peer policy (2 chunks) in %d ms; intruder %d"
              + " attempts, %d got through; friend %d attempts, %d connected%n",
          UPDATES, PEERS, updatesMs, in.attempts(), in.ok(), fr.attempts(), fr.ok());
      assertEquals(UPDATES + 1, seen.size(), "every replacement was a new generation");
      assertTrue(in.attempts() > 100, "the intruder kept trying: " + in);
      assertEquals(
          0,
          in.ok(),
          "attempts of a pod no version allows got through, the first at (epoch s) "
              + in.events().subList(0, Math.min(10, in.events().size()))
              + "\n"
              + s.tail());
      assertTrue(
          fr.ok() >= fr.attempts() * 0.9,
          "the allowed pod stays allowed through the updates: " + fr);
    }
    System.out.printf(
        "PolicyUpdateIT: total with clean-up %d ms%n", (System.nanoTime() - testStart) / 1_000_000);
  }

  /**
   * Waits until every chunk of many-peers carries one generation not in {@code old} and there are
   * two of them; returns it.
   */
  private static String awaitGeneration(Path kc, Set<String> old) throws InterruptedException {
    long end = System.currentTimeMillis() + 30_000;
    String last = "";
    while (System.currentTimeMillis() < end) {
      Cli.Result r =
          E2eRun.kubectl(
              kc,
              "get",
              "policyendpoints",
              "-n",
              "x",
              "-o",
              "jsonpath={range .items[*]}{.spec.policyRef.name} {.spec.chunk.index}"
                  + " {.spec.chunk.count} {.spec.chunk.generation}{\"\\n\"}{end}");
      last = r.out();
      List<String[]> rows =
          last.lines()
              .map(l -> l.trim().split("\\s+"))
              .filter(w -> w.length == 4 && w[0].equals("many-peers"))
              .toList();
      Set<String> gens = new TreeSet<>(rows.stream().map(w -> w[3]).toList());
      if (rows.size() == 2
          && gens.size() == 1
          && rows.stream().allMatch(w -> w[2].equals("2"))
          && !old.contains(gens.iterator().next())) {
        return gens.iterator().next();
      }
      Thread.sleep(50);
    }
    throw new AssertionError(
        "no new complete generation of many-peers in two chunks: "
            + Arrays.toString(last.split("\n")));
  }
}
