package dev.netpol.ebpf.sdk;

import dev.netpol.ebpf.sdk.internal.Native;
import dev.netpol.ebpf.sdk.internal.Structs;
import java.util.OptionalInt;
import jnr.ffi.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tc clsact hook (ingress or egress) on one interface, driving libbpf's bpf_tc_* netlink API in
 * direct-action mode. Polite to others: {@link #create()} tolerates an existing clsact qdisc and
 * remembers that it did not create it; filters are addressed by our own handle and priority; {@link
 * #destroy()} removes the qdisc only if this hook created it.
 *
 * <p>Netlink runs in the network namespace of the calling thread.
 */
public final class TcHook implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TcHook.class);
  private static final int EEXIST = 17;
  private static final int ENOENT = 2;
  private static final int EINVAL = 22;
  private static final int BOTH_POINTS =
      3; // BPF_TC_INGRESS | BPF_TC_EGRESS: the whole clsact qdisc

  private final int ifindex;
  private final TcAttachPoint point;
  private volatile boolean createdByUs;

  public TcHook(int ifindex, TcAttachPoint point) {
    if (ifindex <= 0) {
      throw new IllegalArgumentException(
          "tc hook: ifindex " + ifindex + " is not a valid interface index");
    }
    this.ifindex = ifindex;
    this.point = point;
  }

  public static TcHook ingress(int ifindex) {
    return new TcHook(ifindex, TcAttachPoint.INGRESS);
  }

  public static TcHook egress(int ifindex) {
    return new TcHook(ifindex, TcAttachPoint.EGRESS);
  }

  public int ifindex() {
    return ifindex;
  }

  public TcAttachPoint attachPoint() {
    return point;
  }

  /** Whether {@link #create()} added the clsact qdisc (false if it was there already). */
  public boolean createdByUs() {
    return createdByUs;
  }

  /** Ensures the clsact qdisc exists. Returns this. */
  public TcHook create() {
    int rc = Native.bpf().bpf_tc_hook_create(hook(point.code()));
    if (rc == -EEXIST) {
      return this;
    }
    BpfException.check(rc, "bpf_tc_hook_create", describe());
    createdByUs = true;
    LOG.debug("created clsact qdisc on {}", describe());
    return this;
  }

  /**
   * Attaches {@code program} as filter (handle, priority). With {@code replace} an existing filter
   * at that handle/priority is swapped atomically (BPF_TC_F_REPLACE: no packet sees no program);
   * without it an existing filter fails with EEXIST. Returns the attached program id.
   */
  public int attach(BpfProgram program, int handle, int priority, boolean replace) {
    checkHandle(handle, priority);
    Pointer opts = opts(handle, priority);
    opts.putInt(Structs.TC_OPTS_PROG_FD, program.fd());
    opts.putInt(Structs.TC_OPTS_FLAGS, replace ? Structs.BPF_TC_F_REPLACE : 0);
    int rc = Native.bpf().bpf_tc_attach(hook(point.code()), opts);
    BpfException.check(
        rc,
        "bpf_tc_attach of "
            + program.describe()
            + " (handle "
            + handle
            + ", priority "
            + priority
            + (replace ? ", replace" : "")
            + ")",
        describe());
    int id = opts.getInt(Structs.TC_OPTS_PROG_ID);
    LOG.info(
        "attached {} to {} handle {} priority {}{}",
        program.describe(),
        describe(),
        handle,
        priority,
        replace ? " (replace)" : "");
    return id;
  }

  /** Removes our filter (handle, priority); false if there was none. */
  public boolean detach(int handle, int priority) {
    checkHandle(handle, priority);
    int rc = Native.bpf().bpf_tc_detach(hook(point.code()), opts(handle, priority));
    if (rc == -ENOENT) {
      return false;
    }
    BpfException.check(
        rc, "bpf_tc_detach (handle " + handle + ", priority " + priority + ")", describe());
    LOG.info("detached handle {} priority {} from {}", handle, priority, describe());
    return true;
  }

  /** The id of the program at (handle, priority), empty if none. */
  public OptionalInt query(int handle, int priority) {
    checkHandle(handle, priority);
    Pointer opts = opts(handle, priority);
    int rc = Native.bpf().bpf_tc_query(hook(point.code()), opts);
    // the kernel answers EINVAL ("Cannot find specified filter chain") when the hook has no
    // filters at all, ENOENT when others exist; handle and priority are validated above
    if (rc == -ENOENT || rc == -EINVAL) {
      return OptionalInt.empty();
    }
    BpfException.check(
        rc, "bpf_tc_query (handle " + handle + ", priority " + priority + ")", describe());
    return OptionalInt.of(opts.getInt(Structs.TC_OPTS_PROG_ID));
  }

  /**
   * Removes the clsact qdisc (both directions, all filters) if this hook created it; otherwise
   * leaves it. Returns whether it removed it.
   */
  public boolean destroy() {
    if (!createdByUs) {
      return false;
    }
    int rc = Native.bpf().bpf_tc_hook_destroy(hook(BOTH_POINTS));
    createdByUs = false;
    if (rc == -ENOENT || rc == -19 /* ENODEV: the interface is gone and the qdisc with it */) {
      return false;
    }
    BpfException.check(rc, "bpf_tc_hook_destroy", describe());
    LOG.debug("removed clsact qdisc from {}", describe());
    return true;
  }

  /** Same as {@link #destroy()}: filters we attached stay unless we created the qdisc. */
  @Override
  public void close() {
    destroy();
  }

  public String describe() {
    String name;
    try {
      name = Interfaces.name(ifindex).orElse("?");
    } catch (RuntimeException e) {
      name = "?";
    }
    return "tc " + point.name().toLowerCase() + " hook on ifindex " + ifindex + " (" + name + ")";
  }

  private Pointer hook(int attachPoint) {
    Pointer h = Native.opts(Structs.TC_HOOK_SIZE);
    h.putInt(Structs.TC_HOOK_IFINDEX, ifindex);
    h.putInt(Structs.TC_HOOK_ATTACH_POINT, attachPoint);
    return h;
  }

  private static Pointer opts(int handle, int priority) {
    Pointer o = Native.opts(Structs.TC_OPTS_SIZE);
    o.putInt(Structs.TC_OPTS_HANDLE, handle);
    o.putInt(Structs.TC_OPTS_PRIORITY, priority);
    return o;
  }

  private void checkHandle(int handle, int priority) {
    if (handle <= 0 || priority <= 0 || priority > 0xffff) {
      throw new IllegalArgumentException(
          describe()
              + ": handle "
              + handle
              + " / priority "
              + priority
              + " must be > 0 (priority at most 65535)");
    }
  }

  @Override
  public String toString() {
    return describe();
  }
}
