package dev.netpol.ebpf.sdk;

import dev.netpol.ebpf.sdk.internal.ErrnoNames;
import dev.netpol.ebpf.sdk.internal.Native;

/**
 * A libbpf or bpf() call failed. Says what was attempted on what, with the errno and its symbolic
 * name, e.g. {@code bpf_map_update_elem on map 'ingress_rules' (id 42): E2BIG (Argument list too
 * long)}. A failed program load also carries the verifier log.
 */
public class BpfException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String operation;
  private final String target;
  private final int errno;
  private final String verifierLog;

  public BpfException(String operation, String target, int errno) {
    this(operation, target, errno, "");
  }

  public BpfException(String operation, String target, int errno, String verifierLog) {
    super(message(operation, target, Math.abs(errno), verifierLog));
    this.operation = operation;
    this.target = target;
    this.errno = Math.abs(errno);
    this.verifierLog = verifierLog == null ? "" : verifierLog;
  }

  private static String message(String operation, String target, int errno, String log) {
    StringBuilder b =
        new StringBuilder(operation)
            .append(" on ")
            .append(target)
            .append(": ")
            .append(ErrnoNames.name(errno));
    String text = describe(errno);
    if (text != null && !text.isEmpty() && !text.startsWith("Unknown error")) {
      b.append(" (").append(text).append(')');
    }
    if (log != null && !log.isBlank()) {
      b.append("\nverifier log:\n").append(log.strip());
    }
    return b.toString();
  }

  private static String describe(int errno) {
    try {
      if (errno >= 4000 && errno < 4100) {
        jnr.ffi.Pointer buf = Native.allocate(128);
        return Native.bpf().libbpf_strerror(errno, buf, 128) == 0 ? buf.getString(0) : null;
      }
      return Native.libc().strerror(errno);
    } catch (RuntimeException | LinkageError e) {
      return null;
    }
  }

  /** The libbpf function that failed, e.g. {@code bpf_map_update_elem}. */
  public String operation() {
    return operation;
  }

  /** What it was called on, e.g. {@code map 'ingress_rules' (id 42)}. */
  public String target() {
    return target;
  }

  /** The positive errno. */
  public int errno() {
    return errno;
  }

  /** The symbolic errno name, e.g. {@code ENOENT}. */
  public String errnoName() {
    return ErrnoNames.name(errno);
  }

  /** The verifier log of a failed program load, empty otherwise. */
  public String verifierLog() {
    return verifierLog;
  }

  /** Throws if {@code rc} is negative (libbpf 1.x returns -errno); returns rc otherwise. */
  static int check(int rc, String operation, String target) {
    if (rc < 0) {
      throw new BpfException(operation, target, -rc);
    }
    return rc;
  }
}
