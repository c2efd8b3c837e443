package dev.netpol.backend.ebpf.internal.abi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Constants mirrored from netpol_abi.h enums, and buffer helpers in host byte order. */
public final class Abi {
  public static final int DIR_INGRESS = 0;
  public static final int DIR_EGRESS = 1;

  public static final int KEY_META = 1;
  public static final int KEY_ADDR = 2;
  public static final int KEY_PORT = 3;

  public static final int STATE_DEFAULT_ALLOW = 1;
  public static final int STATE_DEFAULT_DENY = 2;
  public static final int STATE_POLICIES_APPLIED = 3;

  public static final int ADDR_ALL_TRAFFIC = 1;

  public static final int VERDICT_DENY = 0;
  public static final int VERDICT_ALLOW = 1;

  public static final int KEY_FIXED_BITS = 64;

  private static final String[] REASONS = {
    "?",
    "rule",
    "no-rule",
    "default-allow",
    "default-deny",
    "no-policy",
    "fragment",
    "revoked",
    "malformed",
    "established",
    "related",
    "resumed"
  };

  public static final int REASON_ESTABLISHED = 9;
  public static final int REASON_RELATED = 10;
  public static final int REASON_RESUMED = 11;

  /** Slots of the per-CPU np_stats array (enum np_stat). */
  public static final int STAT_EVENTS_LOST = 0;

  public static final int STAT_EVENTS_SAMPLED_OUT = 1;
  public static final int STAT_COUNTERS_FULL = 2;
  public static final int STAT_FRAGMENTS_UNKNOWN = 3;

  private Abi() {}

  public static String reason(int code) {
    return code > 0 && code < REASONS.length ? REASONS[code] : "reason-" + code;
  }

  public static ByteBuffer buffer(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
  }

  public static ByteBuffer wrap(byte[] b) {
    return ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
  }
}
