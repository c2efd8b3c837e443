package dev.netpol.ebpf.sdk;

import dev.netpol.ebpf.sdk.internal.Info;
import dev.netpol.ebpf.sdk.internal.Native;
import dev.netpol.ebpf.sdk.internal.Structs;
import java.nio.file.Path;
import jnr.ffi.Pointer;

/**
 * A loaded program reached through its fd. Programs of a {@link BpfObject} belong to it; handles
 * from {@link #openPinned} or {@link #fromId} own their fd.
 */
public final class BpfProgram extends KernelHandle {
  private final String name;
  private final ProgramInfo info;

  BpfProgram(int fd, boolean owned, String libbpfName, Path pinnedAt) {
    super(fd, owned, pinnedAt);
    this.info = infoOf(fd, owned, "program", libbpfName, Info::program);
    this.name = libbpfName != null ? libbpfName : info.name();
  }

  /** Opens a program pinned on bpffs; the handle owns a new fd. */
  public static BpfProgram openPinned(Path path) {
    int fd = Native.bpf().bpf_obj_get(path.toString());
    BpfException.check(fd, "bpf_obj_get", "pinned program " + path);
    return new BpfProgram(fd, true, null, path);
  }

  /** Opens any program on the node by id; owns a new fd. */
  public static BpfProgram fromId(int id) {
    int fd = Native.bpf().bpf_prog_get_fd_by_id(id);
    BpfException.check(fd, "bpf_prog_get_fd_by_id", "program id " + id);
    return new BpfProgram(fd, true, null, null);
  }

  public int id() {
    return info.id();
  }

  public String name() {
    return name;
  }

  /** Kernel facts at open time (map ids of a program do not change after load). */
  public ProgramInfo info() {
    return info;
  }

  @Override
  public String describe() {
    return "program '" + name + "' (id " + info.id() + ")";
  }

  /**
   * Runs the program once per repetition on {@code packet} in the kernel (BPF_PROG_RUN) without
   * attaching it. For tc programs the packet is a whole Ethernet frame (at least 14 bytes).
   */
  public TestRunResult testRun(byte[] packet, int repeat) {
    return testRun(packet, repeat, 0);
  }

  /**
   * As {@link #testRun(byte[], int)}, with the packet arriving on interface {@code ifindex} (the
   * program sees it as {@code skb->ifindex}); 0 keeps the kernel's default (loopback).
   */
  public TestRunResult testRun(byte[] packet, int repeat, int ifindex) {
    Pointer in = Native.allocate(Math.max(1, packet.length));
    in.put(0, packet, 0, packet.length);
    int outSize = packet.length + 512;
    Pointer out = Native.allocate(outSize);
    Pointer opts = Native.opts(Structs.TEST_RUN_SIZE);
    opts.putLong(Structs.TEST_RUN_DATA_IN, in.address());
    opts.putLong(Structs.TEST_RUN_DATA_OUT, out.address());
    opts.putInt(Structs.TEST_RUN_DATA_SIZE_IN, packet.length);
    opts.putInt(Structs.TEST_RUN_DATA_SIZE_OUT, outSize);
    opts.putInt(Structs.TEST_RUN_REPEAT, Math.max(1, repeat));
    if (ifindex > 0) {
      // struct __sk_buff as context: only ifindex set (the kernel refuses other fields non-zero)
      Pointer ctx = Native.allocate(Structs.SKB_CTX_SIZE);
      ctx.putInt(Structs.SKB_CTX_IFINDEX, ifindex);
      opts.putLong(Structs.TEST_RUN_CTX_IN, ctx.address());
      opts.putInt(Structs.TEST_RUN_CTX_SIZE_IN, Structs.SKB_CTX_SIZE);
    }
    int rc = Native.bpf().bpf_prog_test_run_opts(fd(), opts);
    BpfException.check(
        rc,
        "bpf_prog_test_run_opts ("
            + packet.length
            + " byte packet, repeat "
            + repeat
            + (ifindex > 0 ? ", ifindex " + ifindex : "")
            + ")",
        describe());
    int outLen = Math.min(outSize, opts.getInt(Structs.TEST_RUN_DATA_SIZE_OUT));
    byte[] data = new byte[outLen];
    out.get(0, data, 0, outLen);
    return new TestRunResult(
        opts.getInt(Structs.TEST_RUN_RETVAL),
        Integer.toUnsignedLong(opts.getInt(Structs.TEST_RUN_DURATION)),
        data);
  }
}
