package dev.netpol.apiserver.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The write-ahead log's on-disk format. A segment starts with an 8-byte magic; each record is a
 * frame of [payload length: u32][CRC32C of the payload: u32][payload: JSON], little-endian. The
 * payload is one store change: {@code {"rv":N,"op":"put","key":storageKey,"object":{...}}} or
 * {@code {"rv":N,"op":"delete","key":storageKey,"namespace":ns,"name":name}}.
 *
 * <p>Reading stops at the first frame that is incomplete, fails its checksum, does not parse, or
 * does not continue the resourceVersion sequence: that frame and everything after it are a torn or
 * damaged tail, never data.
 */
final class WalCodec {
  static final byte[] MAGIC = "NPWAL01\n".getBytes(StandardCharsets.US_ASCII);
  static final int HEADER = 8;

  /** Far above any object the API accepts (3 MiB bodies); a larger length is damage. */
  static final int MAX_RECORD = 64 << 20;

  private WalCodec() {}

  /** One logged change. object is the stored state for put, null for delete. */
  record Entry(long rv, String storageKey, String namespace, String name, ObjectNode object) {
    boolean delete() {
      return object == null;
    }
  }

  /** The frame for a store event. */
  static byte[] encode(StoreEvent e) {
    ObjectNode p = Json.object().put("rv", e.resourceVersion()).put("key", e.storageKey());
    if (e.type().equals(StoreEvent.DELETED)) {
      p.put("op", "delete");
      String ns = Json.namespace(e.object());
      if (ns != null) {
        p.put("namespace", ns);
      }
      p.put("name", Json.name(e.object()));
    } else {
      p.put("op", "put").set("object", e.object());
    }
    return frame(Json.bytes(p));
  }

  static byte[] frame(byte[] payload) {
    CRC32C crc = new CRC32C();
    crc.update(payload);
    ByteBuffer b = ByteBuffer.allocate(HEADER + payload.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(payload.length).putInt((int) crc.getValue()).put(payload);
    return b.array();
  }

  /** What a segment holds: its intact entries, and where (and why) reading stopped early. */
  record Scan(List<Entry> entries, long intactBytes, long fileBytes, String damage) {
    boolean damaged() {
      return damage != null;
    }
  }

  /**
   * Reads a segment up to its first bad frame. afterRv is the resourceVersion the first entry must
   * exceed; each entry must exceed the one before.
   */
  static Scan scan(Path file, long afterRv) throws IOException {
    byte[] all = Files.readAllBytes(file);
    ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
    List<Entry> out = new ArrayList<>();
    if (all.length < MAGIC.length
        || !ByteBuffer.wrap(all, 0, MAGIC.length).equals(ByteBuffer.wrap(MAGIC))) {
      return new Scan(out, 0, all.length, all.length == 0 ? null : "no segment header");
    }
    b.position(MAGIC.length);
    long lastRv = afterRv;
    while (b.remaining() > 0) {
      int start = b.position();
      if (b.remaining() < HEADER) {
        return new Scan(out, start, all.length, "incomplete frame header at offset " + start);
      }
      int len = b.getInt();
      int sum = b.getInt();
      if (len <= 0 || len > MAX_RECORD) {
        return new Scan(out, start, all.length, "bad frame length " + len + " at offset " + start);
      }
      if (b.remaining() < len) {
        return new Scan(out, start, all.length, "incomplete frame at offset " + start);
      }
      CRC32C crc = new CRC32C();
      crc.update(all, b.position(), len);
      if ((int) crc.getValue() != sum) {
        return new Scan(out, start, all.length, "checksum mismatch at offset " + start);
      }
      Entry e;
      try {
        e = decode(Json.MAPPER.readTree(all, b.position(), len));
      } catch (IOException | RuntimeException ex) {
        return new Scan(out, start, all.length, "unreadable record at offset " + start);
      }
      if (e.rv() <= lastRv) {
        return new Scan(
            out,
            start,
            all.length,
            "resourceVersion " + e.rv() + " after " + lastRv + " at offset " + start);
      }
      lastRv = e.rv();
      out.add(e);
      b.position(b.position() + len);
    }
    return new Scan(out, all.length, all.length, null);
  }

  private static Entry decode(JsonNode p) {
    long rv = p.path("rv").asLong(-1);
    String key = Json.text(p, "key");
    String op = Json.text(p, "op");
    if (rv <= 0 || key == null || op == null) {
      throw new IllegalArgumentException("incomplete record");
    }
    if (op.equals("put") && p.get("object") instanceof ObjectNode o) {
      return new Entry(rv, key, Json.namespace(o), Json.name(o), o);
    }
    if (op.equals("delete") && Json.text(p, "name") != null) {
      return new Entry(rv, key, Json.text(p, "namespace"), Json.text(p, "name"), null);
    }
    throw new IllegalArgumentException("unknown record");
  }
}
