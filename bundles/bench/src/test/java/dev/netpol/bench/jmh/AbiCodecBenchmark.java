package dev.netpol.bench.jmh;

import dev.netpol.backend.ebpf.internal.abi.CtKey;
import dev.netpol.backend.ebpf.internal.abi.CtValue;
import dev.netpol.backend.ebpf.internal.abi.RuleKey;
import dev.netpol.backend.ebpf.internal.abi.RuleValue;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The map codecs between Java records and the datapath's byte layouts: every trie entry written is
 * encoded once, every conntrack entry the GC reads is decoded.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AbiCodecBenchmark {
  RuleKey addrKey;
  RuleValue value;
  CtKey ctKey;
  byte[] addrKeyBytes;
  byte[] ctKeyBytes;
  byte[] ctValueBytes;

  @Setup
  public void setUp() {
    addrKey = RuleKey.addr(new byte[] {10, 1, 2, 3}, 32);
    value = new RuleValue(7, 0, 2, 42);
    ctKey =
        new CtKey(
            12,
            4,
            6,
            40000,
            80,
            new byte[] {(byte) 198, 18, 0, 2},
            new byte[] {(byte) 198, 18, 0, 3});
    addrKeyBytes = addrKey.encode();
    ctKeyBytes = ctKey.encode();
    ctValueBytes = new byte[CtValue.LAYOUT.size()];
  }

  @Benchmark
  public byte[] ruleKeyEncode() {
    return addrKey.encode();
  }

  @Benchmark
  public RuleKey ruleKeyDecode() {
    return RuleKey.decode(addrKeyBytes);
  }

  @Benchmark
  public byte[] ruleValueEncode() {
    return value.encode();
  }

  @Benchmark
  public byte[] ctKeyEncode() {
    return ctKey.encode();
  }

  @Benchmark
  public CtKey ctKeyDecode() {
    return CtKey.decode(ctKeyBytes);
  }

  @Benchmark
  public CtValue ctValueDecode() {
    return CtValue.decode(ctValueBytes);
  }
}
