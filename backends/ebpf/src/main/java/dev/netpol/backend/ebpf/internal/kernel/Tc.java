package dev.netpol.backend.ebpf.internal.kernel;

import static dev.netpol.backend.ebpf.internal.kernel.Libbpf.LIB;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * tc BPF filters on a clsact hook: one direct-action filter per hook with a fixed handle and
 * priority, so attaching again is an atomic replace (the kernel swaps the program in the existing
 * filter; no moment without a filter, no second filter left pointing at an old program).
 */
public final class Tc {
  /** Host veth tc ingress = packets leaving the pod; tc egress = packets entering it. */
  public enum Hook {
    INGRESS(1),
    EGRESS(2);

    final int attachPoint;

    Hook(int attachPoint) {
      this.attachPoint = attachPoint;
    }
  }

  public static final int HANDLE = 1;
  public static final int PRIORITY = 1;
  private static final int BPF_TC_F_REPLACE = 1;

  private Tc() {}

  /** Attaches or atomically replaces netpol's filter on the hook, creating clsact if missing. */
  public static void attach(int ifindex, Hook hook, BpfProgram prog) {
    Pointer h = hook(ifindex, hook);
    int rc = LIB.bpf_tc_hook_create(h);
    if (rc < 0 && rc != -17) {
      BpfException.check(rc, "create clsact on ifindex " + ifindex);
    }
    Pointer o = opts(prog.fd(), BPF_TC_F_REPLACE);
    BpfException.check(LIB.bpf_tc_attach(h, o), "tc attach " + hook + " ifindex " + ifindex);
  }

  /** The id of the program in netpol's filter on the hook, or 0 if there is none. */
  public static int attachedProgramId(int ifindex, Hook hook) {
    Pointer o = opts(0, 0);
    int rc = LIB.bpf_tc_query(hook(ifindex, hook), o);
    if (rc == -2 || rc == -19 || rc == -22) {
      return 0;
    }
    BpfException.check(rc, "tc query " + hook + " ifindex " + ifindex);
    return o.getInt(16);
  }

  /** Removes netpol's filter from the hook if present (clsact stays: others may use it). */
  public static void detach(int ifindex, Hook hook) {
    int rc = LIB.bpf_tc_detach(hook(ifindex, hook), opts(0, 0));
    if (rc < 0 && rc != -2 && rc != -19 && rc != -22) {
      BpfException.check(rc, "tc detach " + hook + " ifindex " + ifindex);
    }
  }

  private static Pointer hook(int ifindex, Hook hook) {
    Pointer h = Memory.allocateDirect(Libbpf.RUNTIME, 24, true);
    h.putLong(0, 24);
    h.putInt(8, ifindex);
    h.putInt(12, hook.attachPoint);
    return h;
  }

  private static Pointer opts(int progFd, int flags) {
    Pointer o = Memory.allocateDirect(Libbpf.RUNTIME, 32, true);
    o.putLong(0, 32);
    o.putInt(8, progFd);
    o.putInt(12, flags);
    o.putInt(20, HANDLE);
    o.putInt(24, PRIORITY);
    return o;
  }
}
