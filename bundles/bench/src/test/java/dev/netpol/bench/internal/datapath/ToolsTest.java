package dev.netpol.bench.internal.datapath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tools' outputs as this machine's iperf3 3.12 and sockperf 3.7 print them. */
class ToolsTest {
  static String resource(String name) throws Exception {
    try (InputStream in = ToolsTest.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void iperfJsonGivesReceivedThroughputRetransmitsAndCpu() throws Exception {
    Tools.Throughput t = Tools.parseIperf(resource("iperf3.json"), null);
    assertEquals(11.874, t.gbps(), 0.001);
    assertTrue(t.retransmits() >= 0);
    assertTrue(t.senderCpu() > 0 && t.receiverCpu() > 0, t.toString());
  }

  @Test
  void iperfErrorIsReportedWithItsMessage() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                Tools.parseIperf(
                    "{\"start\":{},\"intervals\":[],\"end\":{},\"error\":\"unable to connect to server: Connection timed out\"}",
                    null));
    assertTrue(e.getMessage().contains("unable to connect"), e.getMessage());
    assertThrows(IllegalStateException.class, () -> Tools.parseIperf("iperf3: error", null));
  }

  @Test
  void sockperfPercentilesAreParsedThroughItsColourCodes() throws Exception {
    Tools.Latency l = Tools.parseSockperf(resource("sockperf.txt"));
    assertEquals(27.589, l.p50(), 1e-9);
    assertEquals(2296.002, l.p99(), 1e-9);
    assertTrue(l.avg() > 0 && l.observations() > 1000, l.toString());
    assertThrows(
        IllegalStateException.class,
        () -> Tools.parseSockperf("sockperf: ERROR: Failed to connect"));
  }

  @Test
  void connectionRateLine() {
    Tools.ConnectionRate c =
        Tools.parseConnRate(
            "connections=95636 seconds=3.000 rate=31875.9 failures=2 reasons={x=2}\n");
    assertEquals(31875.9, c.perSecond(), 1e-9);
    assertEquals(95636, c.connections());
    assertEquals(2, c.failures());
    assertThrows(IllegalStateException.class, () -> Tools.parseConnRate("Exception in thread"));
  }

  @Test
  void connRateClassIsExtractedAsItsOwnClassPath(@TempDir Path dir) throws Exception {
    Path cp = Tools.extractConnRate(dir);
    assertTrue(
        Files.size(cp.resolve("dev/netpol/bench/internal/tools/ConnRate.class")) > 1000,
        "class file written");
  }
}
