package dev.netpol.itests.e2e;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Kernel state left by a backend that is no longer running is released out of process once another
 * has taken over. A standalone enforces x/server (only x/client allowed in) with the eBPF backend
 * on pin root R1; the agent records how to release that state under its data dir. The node stops
 * (the pins keep enforcing) and starts again on the same data dir with pin root R2: the agent hands
 * over — every pod programmed under R2 and verified — and only then runs the recorded {@code
 * bin/netpol ebpf --root R1 release}. A prober runs throughout: the intruder never gets through,
 * the client never fails.
 */
@EnabledIfSystemProperty(named = "netpol.kernel.tests", matches = "true")
class OrphanedStateIT {
  private static final String POLICY =
      """
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {namespace: x, name: server-from-client}
      spec:
        podSelector: {matchLabels: {pod: server}}
        policyTypes: [Ingress]
        ingress:
        - from: [{podSelector: {matchLabels: {pod: client}}}]
          ports: [{port: 80, protocol: TCP}]
      """;

  @Test
  void stateOfABackendThatIsGoneIsReleasedAfterTheHandOver() throws Exception {
    long testStart = System.nanoTime();
    try (E2eRun run = new E2eRun()) {
      Path data = run.work.resolve("s");
      Path r1 = run.pinRoot("r1");
      Path r2 = run.pinRoot("r2");
      NetpolProcess first = NetpolProcess.standalone("np-s", data, r1, "NPE" + run.hex);
      run.onClose(() -> first.stop(20));
      first.awaitInSync(60);
      Path kc = first.kubeconfig();
      LabCli lab =
          new LabCli(kc, run.work.resolve("lab"), "198.18.132.0/24", "fd00:198:18:84::/64");
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
              lab.args("pod", "add", "x/client", "--labels", "pod=client", "--node", "np-s"),
              lab.args("pod", "add", "y/intruder", "--labels", "pod=intruder", "--node", "np-s"));
      LabCli.Pod server = LabCli.parseAdded(added.get(0));
      LabCli.Pod client = LabCli.parseAdded(added.get(1));
      LabCli.Pod intruder = LabCli.parseAdded(added.get(2));
      assertEquals(0, run.apply(kc, "policy", POLICY).exit());
      assertTrue(
          TcpProbe.until(false, intruder.netns(), server.ipv4(), 80, System.nanoTime(), 15_000)
              >= 0,
          "policy never enforced\n" + first.tail());
      Path record = data.resolve("agent/backends/ebpf");
      assertEquals(
          List.of("ebpf", "--root", r1.toString(), "release"),
          Files.readAllLines(record),
          "the agent records how to release the eBPF state");

      FlowProber denied =
          FlowProber.start(
              run.work, "denied", FlowProber.Mode.TCP_NEW, intruder.netns(), server.ipv4(), 80, 10);
      run.onClose(denied::close);
      FlowProber allowed =
          FlowProber.start(
              run.work, "allowed", FlowProber.Mode.TCP_NEW, client.netns(), server.ipv4(), 80, 20);
      run.onClose(allowed::close);

      assertEquals(143, first.stop(30), "SIGTERM\n" + first.tail());
      NetpolProcess second = NetpolProcess.standalone("np-s", data, r2, "NPE" + run.hex);
      run.onClose(() -> second.stop(20));
      run.onClose(() -> lab.down(second.alive()));
      second.awaitLog("backend switch (none) -> ebpf done", 90);
      Thread.sleep(1000);
      FlowProber.Result d = denied.stop();
      FlowProber.Result a = allowed.stop();
      System.out.printf(
          "OrphanedStateIT: across the restart and hand-over: denied %d attempts, %d through;"
              + " allowed %d attempts, %d failed%n",
          d.attempts(), d.ok(), a.attempts(), a.failed());
      String log = second.log();
      assertTrue(log.contains("backend ebpf.1: kernel state released"), second.tail());
      assertFalse(Files.exists(r1.resolve("pods")), "nothing is left under " + r1);
      Cli.Result progs = Cli.netpol("ebpf", "--root", r2.toString(), "progs");
      assertTrue(progs.out().contains("x/server\tingress"), progs.toString());
      assertEquals(List.of("ebpf", "--root", r2.toString(), "release"), Files.readAllLines(record));
      assertFalse(Files.exists(data.resolve("agent/backends/ebpf.1")), "leftover record gone");
      assertEquals(0, d.ok(), "the intruder got through at " + d.events());
      assertEquals(0, a.failed(), "allowed connections failed: " + a);
      assertTrue(
          TcpProbe.connects(client.netns(), server.ipv4(), 80, 1)
              && !TcpProbe.connects(intruder.netns(), server.ipv4(), 80, 0.3),
          "enforced by the new pins");
    }
    System.out.printf(
        "OrphanedStateIT: total with clean-up %d ms%n",
        (System.nanoTime() - testStart) / 1_000_000);
  }
}
