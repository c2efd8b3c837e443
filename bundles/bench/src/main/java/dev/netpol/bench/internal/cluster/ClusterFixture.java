package dev.netpol.bench.internal.cluster;

import dev.netpol.bench.internal.Backends;
import dev.netpol.bench.internal.BenchContext;
import dev.netpol.bench.internal.Proc;
import dev.netpol.lab.Lab;
import dev.netpol.lab.LabConfig;
import dev.netpol.lab.LabPod;
import dev.netpol.lab.PodSpec;
import dev.netpol.lab.ServePort;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A node as a user builds it: {@code bin/netpol standalone} (node {@code bench-api}: the embedded
 * API and the controller; no pod runs there), lab pods registered in its API with {@code
 * spec.nodeName=bench-node}, the filler and measured policies applied with kubectl. The agent of
 * {@code bench-node} is a {@code bin/netpol node} process per backend ({@link #startNode}), so it
 * can be stopped, wiped and started cold while pods and policies stay.
 */
public final class ClusterFixture {
  public static final String NODE = "bench-node";
  public final NetpolProcess api;
  public final Lab lab;
  public final Kubectl kubectl;
  public final LabPod srv;
  public final LabPod cli;
  public final LabPod always;
  public final int pods;
  public final int policies;
  public final int rules;
  private final BenchContext ctx;
  private int nodes;

  private ClusterFixture(
      BenchContext ctx,
      NetpolProcess api,
      Lab lab,
      Kubectl kubectl,
      LabPod srv,
      LabPod cli,
      LabPod always,
      int pods,
      int policies,
      int rules) {
    this.ctx = ctx;
    this.api = api;
    this.lab = lab;
    this.kubectl = kubectl;
    this.srv = srv;
    this.cli = cli;
    this.always = always;
    this.pods = pods;
    this.policies = policies;
    this.rules = rules;
  }

  /** The run's fixture, made on first use. */
  public static ClusterFixture get(BenchContext ctx) throws Exception {
    return ctx.shared("cluster", () -> make(ctx));
  }

  private static ClusterFixture make(BenchContext ctx) throws Exception {
    String suite = "cluster";
    Path dir = ctx.work.resolve("cluster");
    NetpolProcess api =
        NetpolProcess.standalone(
            ctx.netpol(),
            "bench-api",
            "ebpf",
            dir.resolve("api"),
            ctx.pinRoot("-api"),
            ctx.logFile("standalone-api.log"),
            List.of("netpol.serviceproxy.chain-prefix=NPB" + ctx.hex.toUpperCase()));
    ctx.onClose(api::close);
    api.awaitKubeconfig(90);
    api.awaitSynced(90);
    Kubectl kubectl = new Kubectl(api.kubeconfig(), dir);
    Lab lab =
        new Lab(
            new LabConfig(
                dir.resolve("lab"),
                api.kubeconfig(),
                "198.18.194.0/23",
                "fd00:198:18:c2::/64",
                BenchContext.NAME_PREFIX,
                NODE,
                hostIp()));
    ctx.onClose(
        () -> {
          lab.down();
          lab.close();
        });
    int total = ctx.size.nodePods();
    int policies = ctx.size.nodePolicies();
    int perPolicy = Math.max(1, ctx.size.agentRules() / policies);
    ctx.progress.note(
        suite,
        "making "
            + total
            + " lab pods on "
            + NODE
            + ", "
            + policies
            + " policies of "
            + perPolicy
            + " rules");
    long t0 = System.nanoTime();
    LabPod srv =
        lab.addPod(
            new PodSpec(
                Manifests.MEASURED_NS,
                "srv",
                Map.of("pod", "srv"),
                List.of(new ServePort(80, "tcp")),
                false,
                null,
                false));
    LabPod cli = lab.addPod(spec("cli"));
    LabPod always = lab.addPod(spec("always"));
    for (Manifests.FillerPod f : Manifests.fillerPods(total - 3)) {
      lab.addPod(
          new PodSpec(
              f.namespace(),
              f.name(),
              Map.of("app", f.app(), "role", f.role()),
              List.of(),
              false,
              null,
              false));
    }
    ctx.progress.note(suite, String.format("pods made in %.0f s", (System.nanoTime() - t0) / 1e9));
    kubectl.create("baseline", Manifests.measuredBaseline()).check();
    t0 = System.nanoTime();
    kubectl.create("filler", Manifests.fillerPolicies(total - 3, policies, perPolicy)).check();
    awaitPolicyEndpoints(kubectl, policies + 2, 600);
    ctx.progress.note(
        suite,
        String.format(
            "%d policies created and resolved into PolicyEndpoints in %.0f s",
            policies + 2, (System.nanoTime() - t0) / 1e9));
    return new ClusterFixture(
        ctx, api, lab, kubectl, srv, cli, always, total, policies + 2, policies * perPolicy + 1);
  }

  private static PodSpec spec(String name) {
    return new PodSpec(
        Manifests.MEASURED_NS, name, Map.of("pod", name), List.of(), false, null, false);
  }

  /** Waits until the controller has written at least one PolicyEndpoint per policy. */
  static void awaitPolicyEndpoints(Kubectl k, int policies, long seconds)
      throws InterruptedException {
    long end = System.currentTimeMillis() + seconds * 1000;
    while (true) {
      Proc.Result r =
          k.run(
              120,
              "get",
              "policyendpoints",
              "-A",
              "-o",
              "jsonpath={range .items[*]}{.spec.policyRef.namespace}/{.spec.policyRef.name}{\"\\n\"}{end}");
      long distinct = r.out().lines().filter(l -> !l.isBlank()).distinct().count();
      if (r.ok() && distinct >= policies) {
        return;
      }
      if (System.currentTimeMillis() > end) {
        throw new IllegalStateException(
            "only " + distinct + " of " + policies + " policies have PolicyEndpoints: " + r.out());
      }
      Thread.sleep(500);
    }
  }

  /**
   * Starts the agent of {@code bench-node} with a fresh bpffs root; returns the process (already
   * registered for clean-up, with its backend's kernel state released at the end).
   */
  public NetpolProcess startNode(String backend) throws Exception {
    int n = ++nodes;
    Path pinRoot = ctx.pinRoot("-node" + n);
    NetpolProcess node =
        NetpolProcess.node(
            ctx.netpol(),
            api.kubeconfig(),
            NODE,
            backend,
            ctx.work.resolve("cluster/node" + n),
            pinRoot,
            ctx.logFile("node" + n + "-" + backend + ".log"),
            Backends.nodeSettings(backend, ctx, "-node" + n));
    ctx.onClose(() -> Backends.release(backend, ctx, pinRoot, "-node" + n));
    ctx.onClose(node::close);
    return node;
  }

  /** Stops a node and removes every kernel object its backend made (a cold node next time). */
  public void stopAndWipe(NetpolProcess node) throws Exception {
    node.close();
    Backends.release(node.backend, ctx, node.pinRoot, "-node" + nodeNumber(node));
  }

  private static String nodeNumber(NetpolProcess node) {
    String d = node.dataDir.getFileName().toString();
    return d.substring("node".length());
  }

  /** This host's first global IPv4 address (a kubelet's status.hostIP). */
  static String hostIp() {
    try {
      for (NetworkInterface i : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (i.isLoopback() || !i.isUp() || i.getName().startsWith(BenchContext.NAME_PREFIX)) {
          continue;
        }
        for (InetAddress a : Collections.list(i.getInetAddresses())) {
          if (a instanceof Inet4Address && !a.isLinkLocalAddress()) {
            return a.getHostAddress();
          }
        }
      }
    } catch (java.net.SocketException e) {
      // below
    }
    return "192.0.2.1";
  }
}
