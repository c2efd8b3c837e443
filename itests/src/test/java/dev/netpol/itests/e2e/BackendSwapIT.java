package dev.netpol.itests.e2e;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Issue 9: backends swapped on a running node with no window. A standalone node (its own copy of
 * the home, so its etc/config can be edited) with lab pods x/server, x/client and y/intruder; x is
 * isolated both ways and only client -> server on TCP/UDP 80 and 9000 is allowed, so replies on
 * both ends depend on connection tracking. Under continuous traffic — allowed and denied, new and
 * established, TCP and UDP — the active backend is swapped ten times (eBPF -> iptables by a changed
 * {@code netpol.backend} in etc/config, then by {@code bin/netpol backend switch}, alternating),
 * then twice more by stopping the active backend's bundle and starting it again in the Felix Web
 * Console. No denied packet may get through and no allowed connection may break.
 */
@EnabledIfSystemProperty(named = "netpol.kernel.tests", matches = "true")
class BackendSwapIT {
  /**
   * Swaps eBPF -> iptables -> eBPF -> ..., ten times in a row: established flows survive the
   * iptables -> eBPF direction because the eBPF datapath resumes flows the kernel's conntrack knows
   * as replies. {@code -Dnetpol.swap.count=N} runs N.
   */
  static final int SWAPS = Integer.getInteger("netpol.swap.count", 10);

  private static final String POLICIES =
      """
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {namespace: x, name: default-deny}
      spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
      ---
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {namespace: x, name: server-from-client}
      spec:
        podSelector: {matchLabels: {pod: server}}
        policyTypes: [Ingress]
        ingress:
        - from: [{podSelector: {matchLabels: {pod: client}}}]
          ports: [{port: 80, protocol: TCP}, {port: 80, protocol: UDP}, {port: 9000, protocol: TCP}, {port: 9000, protocol: UDP}]
      ---
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {namespace: x, name: client-to-server}
      spec:
        podSelector: {matchLabels: {pod: client}}
        policyTypes: [Egress]
        egress:
        - to: [{podSelector: {matchLabels: {pod: server}}}]
          ports: [{port: 80, protocol: TCP}, {port: 80, protocol: UDP}, {port: 9000, protocol: TCP}, {port: 9000, protocol: UDP}]
      """;

  @Test
  void tenSwapsUnderTrafficLeakNothingAndBreakNothing() throws Exception {
    long testStart = System.nanoTime();
    try (E2eRun run = new E2eRun()) {
      Path netpol = run.privateHome();
      Path cfg = netpol.getParent().getParent().resolve("etc/config/netpol-agent.cfg");
      Path data = run.work.resolve("s");
      int consolePort = E2eRun.freePort();
      NetpolProcess s =
          NetpolProcess.standalone(
              "np-s",
              data,
              run.pinRoot("s"),
              "NPE" + run.hex,
              List.of("netpol.console.address=127.0.0.1:" + consolePort),
              netpol);
      run.onClose(() -> s.stop(20));
      s.awaitInSync(60);
      s.awaitLog("web console at http://127.0.0.1:" + consolePort + "/system/console/", 30);
      WebConsoleBundles bundles =
          new WebConsoleBundles(
              consolePort, Files.readString(data.resolve("console.password")).trim());
      Cli.Result show = backend(netpol, data, "show");
      assertEquals(0, show.exit(), show.toString());
      assertTrue(show.out().contains("active:      ebpf"), "ebpf is the default backend: " + show);
      assertTrue(
          show.out().contains("available:   iptables"), "iptables is in the profile: " + show);

      Path kc = s.kubeconfig();
      LabCli lab =
          new LabCli(kc, run.work.resolve("lab"), "198.18.131.0/24", "fd00:198:18:83::/64");
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
                  "80/tcp,80/udp",
                  "--node",
                  "np-s"),
              lab.args("pod", "add", "x/client", "--labels", "pod=client", "--node", "np-s"),
              lab.args("pod", "add", "y/intruder", "--labels", "pod=intruder", "--node", "np-s"));
      LabCli.Pod server = LabCli.parseAdded(added.get(0));
      LabCli.Pod client = LabCli.parseAdded(added.get(1));
      LabCli.Pod intruder = LabCli.parseAdded(added.get(2));
      Process echo = FlowProber.echoServer(run.work, server.netns(), 9000);
      run.onClose(echo::destroyForcibly);

      Cli.Result applied = run.apply(kc, "policies", POLICIES);
      assertEquals(0, applied.exit(), applied.toString());
      assertTrue(
          TcpProbe.until(false, intruder.netns(), server.ipv4(), 80, System.nanoTime(), 15_000)
              >= 0,
          "isolation never enforced\n" + s.tail());
      assertTrue(
          TcpProbe.until(true, client.netns(), server.ipv4(), 80, System.nanoTime(), 15_000) >= 0,
          "client -> server never allowed\n" + s.tail());

      Map<String, FlowProber> allowed = new LinkedHashMap<>();
      Map<String, FlowProber> denied = new LinkedHashMap<>();
      String ip = server.ipv4();
      allowed.put("tcp new", start(run, "a-tcp-new", FlowProber.Mode.TCP_NEW, client, ip, 80, 20));
      allowed.put("udp new", start(run, "a-udp-new", FlowProber.Mode.UDP_NEW, client, ip, 80, 20));
      allowed.put(
          "tcp established",
          start(run, "a-tcp-est", FlowProber.Mode.TCP_EST, client, ip, 9000, 20));
      allowed.put(
          "udp established",
          start(run, "a-udp-est", FlowProber.Mode.UDP_EST, client, ip, 9000, 20));
      denied.put("tcp new", start(run, "d-tcp-new", FlowProber.Mode.TCP_NEW, intruder, ip, 80, 10));
      denied.put("udp new", start(run, "d-udp-new", FlowProber.Mode.UDP_NEW, intruder, ip, 80, 10));
      denied.put(
          "udp same flow",
          start(run, "d-udp-est", FlowProber.Mode.UDP_EST, intruder, ip, 9000, 50));

      // an injected failure: sets of the names the iptables backend will create for x/server's
      // and x/client's peers (content-addressed: the family and the sorted members), of another
      // type, make its programming fail; eBPF must stay active and say why
      String prefix = NetpolProcess.iptablesPrefix("NPE" + run.hex);
      List<String> injected = new ArrayList<>();
      for (String peer : List.of(client.ipv4(), server.ipv4())) {
        String name =
            prefix
                + "-S"
                + java.util.HexFormat.of()
                    .formatHex(
                        java.security.MessageDigest.getInstance("SHA-256")
                            .digest(
                                ("inet\n" + peer + "/32")
                                    .getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                        0,
                        8);
        injected.add(name);
        Cli.run(10, List.of("ipset", "create", name, "hash:ip"));
      }
      Cli.Result refused = backend(netpol, data, "switch", "iptables");
      assertNotEquals(0, refused.exit(), "an injected failure must fail the switch: " + refused);
      show = backend(netpol, data, "show");
      assertTrue(show.out().contains("active:      ebpf"), "ebpf stays active:\n" + show.out());
      // a refused command leaves the wanted backend as it was: the reason is the last switch's
      assertTrue(
          show.out().contains("ebpf -> iptables: failed")
              && show.out().contains("ebpf stays active"),
          "show says why:\n" + show.out() + "\nswitch said:\n" + refused.out());
      for (String name : injected) {
        Cli.run(10, List.of("ipset", "destroy", name));
      }

      List<String> swaps = new ArrayList<>();
      String active = "ebpf";
      for (int i = 1; i <= SWAPS; i++) {
        String target = active.equals("ebpf") ? "iptables" : "ebpf";
        long t = System.nanoTime();
        if (i == 1) {
          // by configuration, picked up live
          Files.writeString(cfg, Files.readString(cfg) + "\nnetpol.backend = " + target + "\n");
          awaitActive(netpol, data, target, s);
          // what an operator then sees of the pod: its chains with counters, its peer sets
          Cli.Result shown =
              Cli.run(
                  60,
                  List.of(netpol.toString(), "iptables", "--prefix", prefix, "show", "x/server"));
          assertEquals(0, shown.exit(), shown.toString());
          assertTrue(
              shown.out().startsWith("pod x/server ")
                  && shown.out().contains("rule=x/server-from-client")
                  && shown.out().contains(" pkts ")
                  && shown.out().contains("  set " + prefix + "-S"),
              "netpol iptables show x/server:\n" + shown.out());
        } else {
          Cli.Result r = backend(netpol, data, "switch", target);
          assertEquals(0, r.exit(), "swap " + i + " to " + target + ": " + r + "\n" + s.tail());
          assertTrue(r.out().contains(": done"), r.toString());
        }
        swaps.add(active + "->" + target + " " + (System.nanoTime() - t) / 1_000_000 + " ms");
        active = target;
        Thread.sleep(1000); // traffic on the new backend before the next swap
      }
      // by the bundles' lifecycle, as an operator does in the web console: the active backend's
      // bundle stops (the other running backend takes over before it is gone), then starts
      // again (it is the wanted one: it takes back over)
      String other = active.equals("ebpf") ? "iptables" : "ebpf";
      String bundle = "netpol-backend-" + active;
      long t = System.nanoTime();
      bundles.stop(bundle);
      awaitActive(netpol, data, other, s);
      assertEquals("Resolved", bundles.state(bundle));
      swaps.add(active + "->" + other + " (bundle stopped) " + ms(t) + " ms");
      Thread.sleep(1000);
      t = System.nanoTime();
      bundles.start(bundle);
      awaitActive(netpol, data, active, s);
      assertEquals("Active", bundles.state(bundle));
      swaps.add(other + "->" + active + " (bundle started) " + ms(t) + " ms");
      Thread.sleep(1000);

      Map<String, FlowProber.Result> a = new LinkedHashMap<>();
      Map<String, FlowProber.Result> d = new LinkedHashMap<>();
      for (var e : allowed.entrySet()) {
        a.put(e.getKey(), e.getValue().stop());
      }
      for (var e : denied.entrySet()) {
        d.put(e.getKey(), e.getValue().stop());
      }
      System.out.printf("BackendSwapIT: swaps %s%n", swaps);
      a.forEach(
          (k, r) ->
              System.out.printf(
                  "BackendSwapIT: allowed %s: %d attempts, %d failed%n",
                  k, r.attempts(), r.failed()));
      d.forEach(
          (k, r) ->
              System.out.printf(
                  "BackendSwapIT: denied %s: %d attempts, %d got through%n",
                  k, r.attempts(), r.ok()));
      show = backend(netpol, data, "show");
      System.out.println(show.out());
      List<String> problems = new ArrayList<>();
      d.forEach(
          (k, r) -> {
            if (r.ok() > 0 || r.attempts() < 10) {
              problems.add(
                  "denied "
                      + k
                      + ": "
                      + r.ok()
                      + " of "
                      + r.attempts()
                      + " got through at "
                      + r.events());
            }
          });
      a.forEach(
          (k, r) -> {
            if (r.failed() > 0 || r.attempts() < 10) {
              problems.add(
                  "allowed "
                      + k
                      + ": "
                      + r.failed()
                      + " of "
                      + r.attempts()
                      + " broke at "
                      + r.events());
            }
          });
      assertEquals(List.of(), problems, "swaps " + swaps + "\n" + s.tail());
      assertTrue(show.out().contains("switches:    " + (SWAPS + 2)), show.out());
      assertTrue(show.out().contains("active:      " + active), show.out());
      if (active.equals("iptables")) {
        assertEquals(
            0, backend(netpol, data, "switch", "ebpf").exit(), "back to ebpf for clean-up");
      }
    }
    System.out.printf(
        "BackendSwapIT: total with clean-up %d ms%n", (System.nanoTime() - testStart) / 1_000_000);
  }

  private static long ms(long t0) {
    return (System.nanoTime() - t0) / 1_000_000;
  }

  private static FlowProber start(
      E2eRun run, String name, FlowProber.Mode mode, LabCli.Pod from, String ip, int port, long ms)
      throws Exception {
    FlowProber p = FlowProber.start(run.work, name, mode, from.netns(), ip, port, ms);
    run.onClose(p::close);
    return p;
  }

  static Cli.Result backend(Path netpol, Path data, String... words) {
    List<String> cmd =
        new ArrayList<>(List.of(netpol.toString(), "backend", "--data-dir", data.toString()));
    cmd.addAll(List.of(words));
    return Cli.run(300, cmd);
  }

  private static void awaitActive(Path netpol, Path data, String name, NetpolProcess s)
      throws InterruptedException {
    long end = System.currentTimeMillis() + 60_000;
    String last = "";
    while (System.currentTimeMillis() < end) {
      Cli.Result r = backend(netpol, data, "show");
      last = r.out();
      if (last.contains("active:      " + name)) {
        return;
      }
      Thread.sleep(500);
    }
    throw new AssertionError(
        "backend " + name + " never became active:\n" + last + "\n" + s.tail());
  }
}
