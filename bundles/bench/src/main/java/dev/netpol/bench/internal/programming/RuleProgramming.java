package dev.netpol.bench.internal.programming;

import dev.netpol.api.EnforcementBackend;
import dev.netpol.api.PodKey;
import dev.netpol.api.model.Cidr;
import dev.netpol.api.model.DirectionPolicy;
import dev.netpol.api.model.Peer;
import dev.netpol.api.model.PodEndpoint;
import dev.netpol.api.model.PodPolicy;
import dev.netpol.api.model.PortRange;
import dev.netpol.api.model.Protocol;
import dev.netpol.api.model.Rule;
import dev.netpol.bench.internal.Backends;
import dev.netpol.bench.internal.BenchContext;
import dev.netpol.bench.internal.Table;
import dev.netpol.lab.Lab;
import dev.netpol.lab.LabConfig;
import dev.netpol.lab.LabPod;
import dev.netpol.lab.PodSpec;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Each backend's own programming cost, in this process on a kernel-only lab pod: {@link
 * EnforcementBackend#apply} of N rules from nothing, a one-rule change at N, and the removal. A
 * rule is one /32 peer with one TCP port (100 distinct ports), as a policy with N ipBlock rules
 * resolves. The first pod on a fresh backend instance is timed apart (it may load programs).
 */
final class RuleProgramming {
  private RuleProgramming() {}

  static void run(BenchContext ctx, String backendName, Table out) throws Exception {
    Lab lab =
        new Lab(
            new LabConfig(
                ctx.work.resolve("lab-rules-" + backendName),
                null,
                backendName.equals("ebpf") ? "198.18.197.0/26" : "198.18.197.64/26",
                backendName.equals("ebpf") ? "fd00:198:18:c5::/64" : "fd00:198:18:c6::/64",
                BenchContext.NAME_PREFIX,
                "bench",
                "192.0.2.1"));
    ctx.onClose(
        () -> {
          lab.down();
          lab.close();
        });
    LabPod first = lab.addPod(spec("first"));
    LabPod target = lab.addPod(spec("target"));
    EnforcementBackend b = Backends.create(backendName, ctx, "-rules-" + backendName);
    long t0 = System.nanoTime();
    b.apply(endpoint(first), PodPolicy.ALLOW_ALL);
    out.add(
        "backend",
        backendName,
        "rules",
        0,
        "step",
        "first pod on a fresh backend (allow all)",
        "repeat",
        1,
        "ms",
        (System.nanoTime() - t0) / 1e6);
    int repeats = ctx.size.full() ? 3 : 1;
    for (int n : ctx.size.ruleCounts()) {
      for (int r = 1; r <= repeats; r++) {
        PodPolicy full = policy(n, -1);
        PodPolicy changed = policy(n, n / 2);
        b.remove(key(target));
        long a = System.nanoTime();
        b.apply(endpoint(target), full);
        long c = System.nanoTime();
        b.apply(endpoint(target), changed);
        long d = System.nanoTime();
        b.remove(key(target));
        long e = System.nanoTime();
        out.add(
            "backend",
            backendName,
            "rules",
            n,
            "step",
            "from scratch",
            "repeat",
            r,
            "ms",
            (c - a) / 1e6);
        out.add(
            "backend",
            backendName,
            "rules",
            n,
            "step",
            "one-rule change",
            "repeat",
            r,
            "ms",
            (d - c) / 1e6);
        out.add(
            "backend", backendName, "rules", n, "step", "remove", "repeat", r, "ms", (e - d) / 1e6);
      }
      ctx.progress.note(
          "programming", backendName + ": " + n + " rules programmed " + repeats + "×");
    }
    b.remove(key(first));
  }

  /** N rules; rule {@code changed} (if ≥ 0) gets another peer address. */
  static PodPolicy policy(int n, int changed) {
    List<Rule> rules = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int h = i == changed ? i + 0x800000 : i;
      String cidr = "10." + ((h >> 16) & 0xff) + "." + ((h >> 8) & 0xff) + "." + (h & 0xff) + "/32";
      rules.add(
          new Rule(
              List.of(Peer.of(Cidr.parse(cidr))),
              List.of(PortRange.single(Protocol.TCP, 1000 + i % 100)),
              "bench/rules"));
    }
    return new PodPolicy(new DirectionPolicy(true, rules), DirectionPolicy.ALLOW_ALL);
  }

  private static PodSpec spec(String name) {
    return new PodSpec("rp", name, Map.of(), List.of(), false, null, false);
  }

  static PodKey key(LabPod p) {
    return new PodKey(p.namespace(), p.name());
  }

  static PodEndpoint endpoint(LabPod p) throws java.net.UnknownHostException {
    return new PodEndpoint(key(p), List.of(InetAddress.getByName(p.ipv4())), p.hostVeth());
  }
}
