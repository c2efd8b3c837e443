package dev.netpol.backend.ebpf.internal.abi;

import static dev.netpol.backend.ebpf.internal.abi.Layout.field;

import java.nio.ByteBuffer;
import java.util.List;

/** struct np_event: one new-flow (or revocation) decision. */
public record Event(
    long timestampNs,
    int ifindex,
    int classId,
    int generation,
    int family,
    int proto,
    int direction,
    int verdict,
    int reason,
    int sport,
    int dport,
    byte[] saddr,
    byte[] daddr) {
  public static final int SIZE = 64;
  public static final Layout LAYOUT =
      new Layout(
          "np_event",
          SIZE,
          List.of(
              field("timestamp_ns", 0, 8),
              field("ifindex", 8, 4),
              field("class_id", 12, 4),
              field("generation", 16, 4),
              field("family", 20, 1),
              field("proto", 21, 1),
              field("direction", 22, 1),
              field("verdict", 23, 1),
              field("reason", 24, 1),
              field("zero", 25, 3),
              field("sport", 28, 2),
              field("dport", 30, 2),
              field("saddr", 32, 16),
              field("daddr", 48, 16)));
  public static final dev.netpol.ebpf.sdk.Codec<Event> CODEC =
      new AbiCodec<>(LAYOUT, Event::encode, Event::decode);

  /** The record as the datapath wrote it (the agent passes events on to `ebpf events` readers). */
  public byte[] encode() {
    ByteBuffer b = Abi.buffer(SIZE);
    b.putLong(timestampNs).putInt(ifindex).putInt(classId).putInt(generation);
    b.put((byte) family).put((byte) proto).put((byte) direction).put((byte) verdict);
    b.put((byte) reason).put(new byte[3]);
    b.put((byte) (sport >> 8)).put((byte) sport).put((byte) (dport >> 8)).put((byte) dport);
    b.put(saddr).put(daddr);
    return b.array();
  }

  public static Event decode(byte[] raw) {
    ByteBuffer b = Abi.wrap(raw);
    long ts = b.getLong();
    int ifindex = b.getInt();
    int cls = b.getInt();
    int gen = b.getInt();
    int family = b.get() & 0xff;
    int proto = b.get() & 0xff;
    int dir = b.get() & 0xff;
    int verdict = b.get() & 0xff;
    int reason = b.get() & 0xff;
    b.position(28);
    int sport = ((b.get() & 0xff) << 8) | (b.get() & 0xff);
    int dport = ((b.get() & 0xff) << 8) | (b.get() & 0xff);
    byte[] s = new byte[16];
    byte[] d = new byte[16];
    b.get(s).get(d);
    return new Event(
        ts, ifindex, cls, gen, family, proto, dir, verdict, reason, sport, dport, s, d);
  }

  public boolean allowed() {
    return verdict == Abi.VERDICT_ALLOW;
  }

  public String describe() {
    return (direction == Abi.DIR_INGRESS ? "ingress" : "egress")
        + " "
        + (allowed() ? "ALLOW" : "DENY")
        + " proto="
        + proto
        + " "
        + Addresses.format(family == 0 ? 4 : family, saddr)
        + ":"
        + sport
        + " -> "
        + Addresses.format(family == 0 ? 4 : family, daddr)
        + ":"
        + dport
        + " reason="
        + Abi.reason(reason)
        + " class="
        + classId
        + " if="
        + ifindex;
  }
}
