package dev.netpol.ebpf.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** tc hooks on a veth between two test namespaces, checked with real TCP connects. */
@KernelTest
class TcHookTest {
  private static final int PORT = 18080;
  private static NetnsPair net;
  private static ServerSocket server4;
  private static ServerSocket server6;
  private static Thread acceptor;

  @BeforeAll
  static void setUp() {
    net = new NetnsPair();
    net.inB(
        () -> {
          server4 = new ServerSocket();
          server4.bind(new InetSocketAddress(NetnsPair.B4, PORT));
          server6 = new ServerSocket();
          server6.bind(new InetSocketAddress(NetnsPair.B6, PORT));
          return null;
        });
    acceptor = new Thread(() -> acceptLoop(server4), "accept4");
    acceptor.setDaemon(true);
    acceptor.start();
    Thread a6 = new Thread(() -> acceptLoop(server6), "accept6");
    a6.setDaemon(true);
    a6.start();
    // fresh veths need a moment before IPv6 (neighbour discovery, addrconf) carries traffic
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!(connects(NetnsPair.B4) && connects(NetnsPair.B6))) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no TCP between the test namespaces after 10 s");
      }
    }
  }

  private static void acceptLoop(ServerSocket s) {
    while (!s.isClosed()) {
      try (Socket c = s.accept()) {
        c.getOutputStream().write(1);
      } catch (IOException e) {
        return;
      }
    }
  }

  @AfterAll
  static void tearDown() throws IOException {
    if (server4 != null) {
      server4.close();
    }
    if (server6 != null) {
      server6.close();
    }
    if (net != null) {
      net.close();
    }
  }

  /** A TCP connect from namespace a to b: true if the handshake completes within 700 ms. */
  private static boolean connects(String address) {
    return net.inA(
        () -> {
          try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, PORT), 700);
            return s.getInputStream().read() == 1;
          } catch (IOException e) {
            return false;
          }
        });
  }

  @Test
  void attachReplaceQueryDetachWithRealTraffic() {
    try (BpfObject obj = BpfObject.open(TestObjects.sdkTest()).load()) {
      BpfProgram pass = obj.program("tc_pass");
      BpfProgram drop = obj.program("tc_drop");
      net.inB(
          () -> {
            int ifindex = Interfaces.require(net.b);
            assertEquals(net.b, Interfaces.name(ifindex).orElseThrow());
            try (TcHook hook = TcHook.ingress(ifindex).create()) {
              assertTrue(hook.createdByUs());
              assertEquals(OptionalInt.empty(), hook.query(1, 1));
              assertEquals(pass.id(), hook.attach(pass, 1, 1, false));
              assertEquals(pass.id(), hook.query(1, 1).orElseThrow());
              // a second hook object sees the qdisc as someone else's
              TcHook other = TcHook.ingress(ifindex).create();
              assertFalse(other.createdByUs());
              assertFalse(other.destroy());
              BpfException taken =
                  assertThrows(BpfException.class, () -> hook.attach(drop, 1, 1, false));
              assertEquals("EEXIST", taken.errnoName());
              assertTrue(
                  taken
                      .getMessage()
                      .contains("tc ingress hook on ifindex " + ifindex + " (" + net.b + ")"),
                  taken.getMessage());
              return null;
            }
          });
    }
  }

  @Test
  void droppingProgramTakesEffectAndReplaceIsAtomic() {
    try (BpfObject obj = BpfObject.open(TestObjects.sdkTest()).load()) {
      BpfProgram pass = obj.program("tc_pass");
      BpfProgram drop = obj.program("tc_drop");
      TcHook hook = net.inB(() -> TcHook.ingress(Interfaces.require(net.b)).create());
      try {
        assertTrue(connects(NetnsPair.B4), "baseline v4");
        assertTrue(connects(NetnsPair.B6), "baseline v6");
        net.inB(() -> hook.attach(pass, 7, 3, false));
        assertTrue(connects(NetnsPair.B4), "pass program v4");
        long passed =
            obj.map("counters").typed(Codecs.u32("k"), Codecs.u64("v")).get(0).orElseThrow();
        assertTrue(passed > 0, "tc_pass counted packets");

        int id = net.inB(() -> hook.attach(drop, 7, 3, true));
        assertEquals(drop.id(), id);
        assertEquals(drop.id(), net.inB(() -> hook.query(7, 3)).orElseThrow());
        assertFalse(connects(NetnsPair.B4), "drop program v4");
        assertFalse(connects(NetnsPair.B6), "drop program v6");

        net.inB(() -> hook.attach(pass, 7, 3, true));
        assertEquals(pass.id(), net.inB(() -> hook.query(7, 3)).orElseThrow());
        assertTrue(connects(NetnsPair.B4), "back to pass");

        assertTrue(net.inB(() -> hook.detach(7, 3)));
        assertFalse(net.inB(() -> hook.detach(7, 3)));
        assertEquals(OptionalInt.empty(), net.inB(() -> hook.query(7, 3)));
        assertTrue(connects(NetnsPair.B4), "detached");
      } finally {
        net.inB(hook::destroy);
      }
      String qdisc = Sh.run("ip", "netns", "exec", net.b, "tc", "qdisc", "show", "dev", net.b);
      assertFalse(qdisc.contains("clsact"), qdisc);
    }
  }

  @Test
  void lpmDenyListDropsOnlyTheListedSource() {
    try (BpfObject obj = BpfObject.open(TestObjects.sdkTest()).load()) {
      TcHook hook = net.inB(() -> TcHook.ingress(Interfaces.require(net.b)).create());
      try {
        net.inB(() -> hook.attach(obj.program("tc_deny_lpm"), 1, 1, false));
        assertTrue(connects(NetnsPair.B4));
        TypedMap<LpmV4Key, Integer> deny =
            obj.map("deny_v4").typed(LpmV4Key.CODEC, Codecs.u32("v"));
        deny.put(new LpmV4Key(30, "198.18.10.0"), 1);
        assertFalse(connects(NetnsPair.B4), "198.18.10.1 is in 198.18.10.0/30");
        assertTrue(connects(NetnsPair.B6), "IPv6 is not filtered by this program");
        deny.delete(new LpmV4Key(30, "198.18.10.0"));
        deny.put(new LpmV4Key(32, "198.18.10.9"), 1);
        assertTrue(connects(NetnsPair.B4), "only .9 is denied");
      } finally {
        net.inB(hook::destroy);
      }
    }
  }

  @Test
  void unknownInterfaceIsNamed() {
    BpfException e = assertThrows(BpfException.class, () -> Interfaces.require("nps-no-such"));
    assertEquals("ENODEV", e.errnoName());
    assertTrue(e.getMessage().contains("'nps-no-such'"));
    assertThrows(IllegalArgumentException.class, () -> TcHook.ingress(0));
  }
}
