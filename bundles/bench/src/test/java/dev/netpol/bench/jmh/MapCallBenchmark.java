package dev.netpol.bench.jmh;

import dev.netpol.ebpf.sdk.BpfMap;
import dev.netpol.ebpf.sdk.Codecs;
import dev.netpol.ebpf.sdk.MapType;
import dev.netpol.ebpf.sdk.TypedMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One map call from Java through jnr-ffi and libbpf into the kernel (root and BPF needed): what
 * every trie entry the backend writes and every conntrack entry the GC reads costs, single and in a
 * batch of 1,000 (BPF_MAP_UPDATE_BATCH).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MapCallBenchmark {
  BpfMap map;
  TypedMap<Integer, Long> typed;
  Map<Integer, Long> batch = new LinkedHashMap<>();
  int next;

  @Setup
  public void setUp() {
    map = BpfMap.create(MapType.HASH, 4, 8, 4096, 0, "np_jmh_calls");
    typed = map.typed(Codecs.u32("k"), Codecs.u64("v"));
    for (int i = 0; i < 1000; i++) {
      batch.put(i, (long) i);
    }
    typed.putAll(batch);
  }

  @TearDown
  public void tearDown() {
    map.close();
  }

  @Benchmark
  public void put() {
    int k = next++ & 1023;
    typed.put(k, (long) k);
  }

  @Benchmark
  public Optional<Long> get() {
    return typed.get(next++ & 1023);
  }

  /** Average time per batch of 1,000 entries in one syscall. */
  @Benchmark
  public int putBatchOf1000() {
    return typed.putAll(batch);
  }
}
