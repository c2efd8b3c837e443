package dev.netpol.ebpf.sdk;

/** Which clsact hook: traffic entering the device (ingress) or leaving it (egress). */
public enum TcAttachPoint {
  INGRESS(1),
  EGRESS(2);

  private final int code;

  TcAttachPoint(int code) {
    this.code = code;
  }

  /** libbpf's {@code enum bpf_tc_attach_point} value. */
  public int code() {
    return code;
  }
}
