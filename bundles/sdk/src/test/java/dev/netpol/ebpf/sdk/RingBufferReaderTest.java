package dev.netpol.ebpf.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@KernelTest
class RingBufferReaderTest {
  /** {@code struct test_event { __u32 kind; __u32 len; __u64 cookie; }}. */
  record Event(int kind, int len, long cookie) {
    static final Codec<Event> CODEC =
        new Codec<>() {
          public int size() {
            return 16;
          }

          public void write(Event e, ByteBuffer out) {
            out.putInt(e.kind).putInt(e.len).putLong(e.cookie);
          }

          public Event read(ByteBuffer in) {
            return new Event(in.getInt(), in.getInt(), in.getLong());
          }

          public List<Field> fields() {
            return List.of(
                new Field("kind", 0, 4), new Field("len", 4, 4), new Field("cookie", 8, 8));
          }
        };
  }

  @Test
  void receivesEventsEmittedByProgramRunsAndStopsCleanly() throws Exception {
    try (BpfObject obj = BpfObject.open(TestObjects.sdkTest()).load()) {
      List<Event> events = new CopyOnWriteArrayList<>();
      byte[] packet = Packets.ipv4Udp("198.18.10.1", "198.18.10.2");
      RingBufferReader reader = RingBufferReader.start(obj.map("events"), Event.CODEC, events::add);
      try {
        obj.program("tc_emit").testRun(packet, 3);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (events.size() < 3 && System.nanoTime() < deadline) {
          Thread.sleep(10);
        }
        assertEquals(3, events.size());
        assertEquals(new Event(7, packet.length, 0x1122334455667788L), events.get(0));
        assertEquals(3, reader.received());
        assertTrue(reader.running());
      } finally {
        reader.close();
      }
      assertFalse(reader.running());
      assertEquals(null, reader.failure());
      reader.close(); // idempotent
    }
  }

  @Test
  void handlerErrorsAreCountedAndReadingGoesOn() throws Exception {
    try (BpfObject obj = BpfObject.open(TestObjects.sdkTest()).load();
        RingBufferReader reader =
            RingBufferReader.start(
                obj.map("events"),
                buf -> {
                  throw new IllegalStateException("handler bug");
                })) {
      obj.program("tc_emit").testRun(Packets.ipv4Udp("198.18.10.1", "198.18.10.2"), 2);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (reader.handlerErrors() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertEquals(2, reader.handlerErrors());
      assertTrue(reader.running());
    }
  }

  @Test
  void onlyRingBufferMapsAreAccepted() {
    try (BpfObject obj = BpfObject.open(TestObjects.sdkTest()).load()) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> RingBufferReader.start(obj.map("counters"), b -> {}));
      assertTrue(e.getMessage().contains("map 'counters'"), e.getMessage());
    }
  }
}
