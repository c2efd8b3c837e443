package dev.netpol.ebpf.sdk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

@KernelTest
class TestRunTest {
  static final int TC_ACT_OK = 0;
  static final int TC_ACT_SHOT = 2;

  @Test
  void returnsVerdictDurationAndRunsTheRequestedRepetitions() {
    try (BpfObject obj = BpfObject.open(TestObjects.sdkTest()).load()) {
      byte[] packet = Packets.ipv4Udp("198.18.10.1", "198.18.10.2");
      TestRunResult pass = obj.program("tc_pass").testRun(packet, 1000);
      assertEquals(TC_ACT_OK, pass.retval());
      assertTrue(pass.averageNanos() >= 0);
      assertArrayEquals(packet, pass.dataOut());
      TestRunResult drop = obj.program("tc_drop").testRun(packet, 10);
      assertEquals(TC_ACT_SHOT, drop.retval());
      TypedMap<Integer, Long> counters =
          obj.map("counters").typed(Codecs.u32("slot"), Codecs.u64("packets"));
      assertEquals(1000L, counters.get(0).orElseThrow());
      assertEquals(10L, counters.get(1).orElseThrow());
    }
  }

  @Test
  void packetArrivesOnTheInterfaceNamed() {
    try (BpfObject obj = BpfObject.open(TestObjects.sdkTest()).load()) {
      byte[] packet = Packets.ipv4Udp("198.18.10.1", "198.18.10.2");
      assertEquals(1, obj.program("tc_ifindex").testRun(packet, 1).retval(), "default: lo");
      assertEquals(1, obj.program("tc_ifindex").testRun(packet, 1, 1).retval());
      BpfException none =
          org.junit.jupiter.api.Assertions.assertThrows(
              BpfException.class, () -> obj.program("tc_ifindex").testRun(packet, 1, 999_999));
      assertEquals("ENODEV", none.errnoName());
    }
  }

  @Test
  void tooShortPacketIsAnErrorNamingTheProgram() {
    try (BpfObject obj = BpfObject.open(TestObjects.sdkTest()).load()) {
      BpfException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              BpfException.class, () -> obj.program("tc_pass").testRun(new byte[4], 1));
      assertEquals("EINVAL", e.errnoName());
      assertTrue(e.getMessage().contains("program 'tc_pass'"), e.getMessage());
    }
  }
}
