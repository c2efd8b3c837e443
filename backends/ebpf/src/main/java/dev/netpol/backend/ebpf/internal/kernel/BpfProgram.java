package dev.netpol.backend.ebpf.internal.kernel;

import static dev.netpol.backend.ebpf.internal.kernel.Libbpf.LIB;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.byref.IntByReference;

/** An owned program file descriptor: pin, identity, and BPF_PROG_RUN. */
public final class BpfProgram implements AutoCloseable {
  private final int fd;
  private final Info info;

  /** What the kernel says about a program (struct bpf_prog_info). */
  public record Info(int type, int id, String tag, String name, int[] mapIds) {}

  /** The outcome of one BPF_PROG_RUN: return code and average ns per repetition. */
  public record RunResult(int retval, int durationNs) {}

  private BpfProgram(int fd) {
    this.fd = fd;
    this.info = info(fd);
  }

  /** Takes ownership of {@code fd}. */
  public static BpfProgram adopt(int fd) {
    return new BpfProgram(fd);
  }

  public static BpfProgram openPinned(String path) {
    return new BpfProgram(BpfException.check(LIB.bpf_obj_get(path), "bpf_obj_get " + path));
  }

  public static BpfProgram openById(int id) {
    return new BpfProgram(BpfException.check(LIB.bpf_prog_get_fd_by_id(id), "bpf_prog_get_fd_by_id " + id));
  }

  public int fd() {
    return fd;
  }

  public Info info() {
    return info;
  }

  public void pin(String path) {
    BpfException.check(LIB.bpf_obj_pin(fd, path), "bpf_obj_pin " + info.name() + " at " + path);
  }

  /** Runs the program on one Ethernet frame {@code repeat} times (BPF_PROG_RUN). */
  public RunResult testRun(byte[] frame, int repeat) {
    Pointer data = Memory.allocateDirect(Libbpf.RUNTIME, frame.length, true);
    data.put(0, frame, 0, frame.length);
    Pointer opts = Memory.allocateDirect(Libbpf.RUNTIME, 80, true);
    opts.putLong(0, 80); // sz
    opts.putAddress(8, data.address()); // data_in
    opts.putInt(24, frame.length); // data_size_in
    opts.putInt(60, repeat); // repeat
    BpfException.check(LIB.bpf_prog_test_run_opts(fd, opts), "BPF_PROG_RUN " + info.name());
    return new RunResult(opts.getInt(56), opts.getInt(64));
  }

  @Override
  public void close() {
    LIB.close(fd);
  }

  static Info info(int fd) {
    Pointer buf = Memory.allocateDirect(Libbpf.RUNTIME, 256, true);
    Pointer ids = Memory.allocateDirect(Libbpf.RUNTIME, 64 * 4, true);
    buf.putInt(52, 64); // nr_map_ids capacity
    buf.putAddress(56, ids.address());
    IntByReference len = new IntByReference(256);
    BpfException.check(LIB.bpf_obj_get_info_by_fd(fd, buf, len), "bpf_obj_get_info_by_fd prog");
    byte[] tag = new byte[8];
    buf.get(8, tag, 0, 8);
    byte[] name = new byte[16];
    buf.get(64, name, 0, 16);
    int n = Math.min(64, buf.getInt(52));
    int[] mapIds = new int[n];
    for (int i = 0; i < n; i++) {
      mapIds[i] = ids.getInt(i * 4L);
    }
    return new Info(buf.getInt(0), buf.getInt(4), java.util.HexFormat.of().formatHex(tag), BpfMap.cString(name), mapIds);
  }
}
