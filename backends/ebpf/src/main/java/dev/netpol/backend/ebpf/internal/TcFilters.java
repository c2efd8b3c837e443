package dev.netpol.backend.ebpf.internal;

import dev.netpol.ebpf.sdk.BpfProgram;
import dev.netpol.ebpf.sdk.TcHook;

/**
 * netpol's tc filters: one direct-action filter per clsact hook with a fixed handle and priority,
 * so attaching again is an atomic replace (the kernel swaps the program inside the existing filter:
 * no moment without a filter, no second filter left on an old program). The clsact qdisc is never
 * removed: other software may use it.
 */
public final class TcFilters {
  /** Host veth tc ingress = packets leaving the pod; tc egress = packets entering it. */
  public enum Hook {
    INGRESS,
    EGRESS
  }

  public static final int HANDLE = 1;
  public static final int PRIORITY = 1;

  private TcFilters() {}

  private static TcHook hook(int ifindex, Hook hook) {
    return hook == Hook.INGRESS ? TcHook.ingress(ifindex) : TcHook.egress(ifindex);
  }

  /** Attaches or atomically replaces netpol's filter on the hook, creating clsact if missing. */
  public static void attach(int ifindex, Hook hook, BpfProgram prog) {
    TcHook h = hook(ifindex, hook).create();
    h.attach(prog, HANDLE, PRIORITY, true);
  }

  /** The id of the program in netpol's filter on the hook, or 0 if there is none. */
  public static int attachedProgramId(int ifindex, Hook hook) {
    try {
      return hook(ifindex, hook).query(HANDLE, PRIORITY).orElse(0);
    } catch (RuntimeException e) {
      return 0; // interface gone
    }
  }

  /** Removes netpol's filter from the hook if present. */
  public static void detach(int ifindex, Hook hook) {
    try {
      hook(ifindex, hook).detach(HANDLE, PRIORITY);
    } catch (RuntimeException e) {
      // interface gone: its filters went with it
    }
  }
}
