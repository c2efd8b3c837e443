package dev.netpol.ebpf.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small benchmark with loose bounds: kernel time per packet (BPF_PROG_RUN average) for a trivial
 * and an LPM program, and the Java cost of one map call through jnr-ffi. Prints the numbers; fails
 * only when something is off by orders of magnitude.
 */
@KernelTest
class MicroBenchmarkTest {
  private static final Logger LOG = LoggerFactory.getLogger(MicroBenchmarkTest.class);

  @Test
  void programRunAndMapCallCosts() {
    try (BpfObject obj = BpfObject.open(TestObjects.sdkTest()).load()) {
      TypedMap<LpmV4Key, Integer> deny = obj.map("deny_v4").typed(LpmV4Key.CODEC, Codecs.u32("v"));
      Map<LpmV4Key, Integer> prefixes = new LinkedHashMap<>();
      for (int i = 0; i < 200; i++) {
        prefixes.put(new LpmV4Key(24 + i % 9, "198.19." + i + ".0"), i);
      }
      deny.putAll(prefixes);
      byte[] packet = Packets.ipv4Udp("198.18.10.1", "198.18.10.2");
      obj.program("tc_deny_lpm").testRun(packet, 10_000); // warm-up
      long pass = obj.program("tc_pass").testRun(packet, 100_000).averageNanos();
      TestRunResult lpm = obj.program("tc_deny_lpm").testRun(packet, 100_000);
      assertEquals(TestRunTest.TC_ACT_OK, lpm.retval());

      TypedMap<Integer, Long> counters =
          obj.map("counters").typed(Codecs.u32("k"), Codecs.u64("v"));
      int n = 20_000;
      for (int i = 0; i < n; i++) { // warm-up the jnr-ffi stubs
        counters.put(i % 1000, (long) i);
      }
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        counters.put(i % 1000, (long) i);
      }
      long putNs = (System.nanoTime() - t0) / n;
      t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        counters.get(i % 1000);
      }
      long getNs = (System.nanoTime() - t0) / n;
      LOG.info(
          "BPF_PROG_RUN average: tc_pass {} ns, tc_deny_lpm (200 prefixes) {} ns; "
              + "TypedMap put {} ns, get {} ns per call",
          pass,
          lpm.averageNanos(),
          putNs,
          getNs);
      assertTrue(
          lpm.averageNanos() < 20_000, "LPM program " + lpm.averageNanos() + " ns per packet");
      assertTrue(putNs < 200_000 && getNs < 200_000, "map calls " + putNs + "/" + getNs + " ns");
    }
  }
}
