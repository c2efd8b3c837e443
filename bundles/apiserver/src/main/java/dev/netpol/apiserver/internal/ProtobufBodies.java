package dev.netpol.apiserver.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * Just enough of the Kubernetes protobuf encoding for the objects kubectl's generator commands send
 * ({@code kubectl create namespace|configmap}): the "k8s\0" envelope (runtime.Unknown),
 * ObjectMeta's name, generateName, namespace, labels, annotations and finalizers, and ConfigMap
 * data. Anything else is refused with 415.
 */
final class ProtobufBodies {
  private static final byte[] MAGIC = {'k', '8', 's', 0};

  private ProtobufBodies() {}

  static ObjectNode decode(byte[] body, String contentType) {
    if (body.length < 4 || !Arrays.equals(Arrays.copyOf(body, 4), MAGIC)) {
      throw ApiException.unsupportedMediaType(contentType);
    }
    String apiVersion = null;
    String kind = null;
    byte[] raw = null;
    Reader envelope = new Reader(body, 4, body.length);
    while (envelope.more()) {
      int tag = envelope.tag();
      if (tag == 1) {
        Reader typeMeta = envelope.message();
        while (typeMeta.more()) {
          int t = typeMeta.tag();
          if (t == 1) {
            apiVersion = typeMeta.string();
          } else if (t == 2) {
            kind = typeMeta.string();
          } else {
            typeMeta.skip();
          }
        }
      } else if (tag == 2) {
        raw = envelope.bytes();
      } else {
        envelope.skip();
      }
    }
    if (raw == null
        || !"v1".equals(apiVersion)
        || !("Namespace".equals(kind) || "ConfigMap".equals(kind))) {
      throw new ApiException(
          415,
          "UnsupportedMediaType",
          "protobuf request bodies are only understood for v1 Namespace and "
              + "ConfigMap (got "
              + apiVersion
              + " "
              + kind
              + "); send JSON or YAML, e.g. kubectl create -f",
          null);
    }
    ObjectNode obj = Json.object().put("apiVersion", apiVersion).put("kind", kind);
    Reader r = new Reader(raw, 0, raw.length);
    while (r.more()) {
      int tag = r.tag();
      if (tag == 1) {
        obj.set("metadata", meta(r.message()));
      } else if (tag == 2 && kind.equals("ConfigMap")) {
        mapEntry(r.message(), Json.child(obj, "data"), false);
      } else if (tag == 3 && kind.equals("ConfigMap")) {
        mapEntry(r.message(), Json.child(obj, "binaryData"), true);
      } else if (tag == 4 && kind.equals("ConfigMap")) {
        obj.put("immutable", r.varint() != 0);
      } else {
        r.skip();
      }
    }
    return obj;
  }

  private static ObjectNode meta(Reader r) {
    ObjectNode m = Json.object();
    while (r.more()) {
      int tag = r.tag();
      switch (tag) {
        case 1 -> m.put("name", r.string());
        case 2 -> m.put("generateName", r.string());
        case 3 -> m.put("namespace", r.string());
        case 11 -> mapEntry(r.message(), Json.child(m, "labels"), false);
        case 12 -> mapEntry(r.message(), Json.child(m, "annotations"), false);
        case 14 -> {
          if (!m.has("finalizers")) {
            m.putArray("finalizers");
          }
          m.withArray("finalizers").add(r.string());
        }
        default -> r.skip();
      }
    }
    return m;
  }

  private static void mapEntry(Reader r, ObjectNode into, boolean base64) {
    String key = "";
    byte[] value = new byte[0];
    while (r.more()) {
      int tag = r.tag();
      if (tag == 1) {
        key = r.string();
      } else if (tag == 2) {
        value = r.bytes();
      } else {
        r.skip();
      }
    }
    into.put(
        key,
        base64
            ? Base64.getEncoder().encodeToString(value)
            : new String(value, StandardCharsets.UTF_8));
  }

  /** Protobuf wire-format reader over a slice of a byte array. */
  private static final class Reader {
    private final byte[] b;
    private int pos;
    private final int end;
    private int wireType;

    Reader(byte[] b, int pos, int end) {
      this.b = b;
      this.pos = pos;
      this.end = end;
    }

    boolean more() {
      return pos < end;
    }

    int tag() {
      long key = varint();
      wireType = (int) (key & 7);
      return (int) (key >>> 3);
    }

    long varint() {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (pos >= end) {
          throw ApiException.badRequest("truncated protobuf body");
        }
        byte x = b[pos++];
        v |= (long) (x & 0x7f) << shift;
        if ((x & 0x80) == 0) {
          return v;
        }
      }
      throw ApiException.badRequest("malformed protobuf varint");
    }

    byte[] bytes() {
      int len = (int) varint();
      if (len < 0 || pos + len > end) {
        throw ApiException.badRequest("truncated protobuf body");
      }
      byte[] out = Arrays.copyOfRange(b, pos, pos + len);
      pos += len;
      return out;
    }

    String string() {
      return new String(bytes(), StandardCharsets.UTF_8);
    }

    Reader message() {
      int len = (int) varint();
      if (len < 0 || pos + len > end) {
        throw ApiException.badRequest("truncated protobuf body");
      }
      Reader r = new Reader(b, pos, pos + len);
      pos += len;
      return r;
    }

    void skip() {
      switch (wireType) {
        case 0 -> varint();
        case 1 -> pos += 8;
        case 2 -> bytes();
        case 5 -> pos += 4;
        default -> throw ApiException.badRequest("unsupported protobuf wire type " + wireType);
      }
    }
  }
}
