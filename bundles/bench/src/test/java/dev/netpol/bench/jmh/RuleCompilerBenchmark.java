package dev.netpol.bench.jmh;

import dev.netpol.api.model.Cidr;
import dev.netpol.api.model.DirectionPolicy;
import dev.netpol.api.model.Peer;
import dev.netpol.api.model.PortRange;
import dev.netpol.api.model.Protocol;
import dev.netpol.api.model.Rule;
import dev.netpol.backend.ebpf.internal.rules.RuleCompiler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The eBPF backend's rule compilation (one direction of one pod into LPM trie entries), the CPU
 * part of every apply: {@code peers} shapes the datapath suite's policy (N /32 peers, one port
 * range); {@code rules} the programming suite's (N rules of one /32 and one port each).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class RuleCompilerBenchmark {
  @Param({"100", "1000", "10000", "50000"})
  public int n;

  @Param({"peers", "rules"})
  public String shape;

  DirectionPolicy policy;

  @Setup
  public void setUp() {
    policy = shape.equals("peers") ? peers(n) : rules(n);
  }

  static String host(int i) {
    return "10." + ((i >> 16) & 0xff) + "." + ((i >> 8) & 0xff) + "." + (i & 0xff) + "/32";
  }

  static DirectionPolicy peers(int n) {
    List<Peer> ps = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ps.add(Peer.of(Cidr.parse(host(i))));
    }
    return new DirectionPolicy(
        true, List.of(new Rule(ps, List.of(new PortRange(Protocol.TCP, 5000, 5999)), "b/p")));
  }

  static DirectionPolicy rules(int n) {
    List<Rule> rs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      rs.add(
          new Rule(
              List.of(Peer.of(Cidr.parse(host(i)))),
              List.of(PortRange.single(Protocol.TCP, 1000 + i % 100)),
              "b/r"));
    }
    return new DirectionPolicy(true, rs);
  }

  @Benchmark
  public RuleCompiler.Compiled compile() {
    return RuleCompiler.compile(policy, 1, "bench");
  }
}
