package dev.netpol.backend.ebpf.internal.kernel;

/** A bpf(2)/libbpf call failed; the message names the call, the object and the errno. */
public class BpfException extends RuntimeException {
  private final int errno;

  public BpfException(String what, int errno) {
    super(what + ": " + describe(errno));
    this.errno = errno;
  }

  public BpfException(String what, int errno, String detail) {
    super(what + ": " + describe(errno) + (detail == null || detail.isBlank() ? "" : "\n" + detail));
    this.errno = errno;
  }

  public int errno() {
    return errno;
  }

  static String describe(int errno) {
    String name = switch (errno) {
      case 1 -> "EPERM";
      case 2 -> "ENOENT";
      case 7 -> "E2BIG";
      case 12 -> "ENOMEM";
      case 13 -> "EACCES";
      case 16 -> "EBUSY";
      case 17 -> "EEXIST";
      case 19 -> "ENODEV";
      case 22 -> "EINVAL";
      case 28 -> "ENOSPC";
      case 95 -> "EOPNOTSUPP";
      default -> "errno";
    };
    return name + " (" + errno + ")";
  }

  /** Returns {@code rc} if it is not negative, else throws naming {@code what}. */
  public static int check(int rc, String what) {
    if (rc < 0) {
      throw new BpfException(what, -rc);
    }
    return rc;
  }
}
