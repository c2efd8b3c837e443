package dev.netpol.ebpf.sdk.internal;

import java.util.ArrayList;
import java.util.List;
import jnr.ffi.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes libbpf's messages through slf4j instead of its default print to stderr. The kernel's
 * extended ack lines libbpf relays ("Kernel error message: ...") come with an error code the SDK
 * turns into an exception or tolerates (an existing clsact qdisc, a missing one on detach), so they
 * are debug; other warnings stay warnings. The callback is process-wide state in libbpf: {@link
 * #uninstall()} puts the previous function back before this bundle's classes may go.
 */
public final class LibbpfLog {
  private static final Logger LOG = LoggerFactory.getLogger("libbpf");
  private static final int WARN = 0;
  private static final int INFO = 1;
  private static final int BUF = 1024;
  private static final String KERNEL = "Kernel error message:";
  private static final String PREFIX = "libbpf: ";

  /** Strongly held: libbpf keeps only the native trampoline. */
  private static final LibBpf.PrintCallback CALLBACK = LibbpfLog::print;

  /** The calling thread's recent warnings, for errors libbpf describes only in its log. */
  private static final ThreadLocal<List<String>> WARNINGS = ThreadLocal.withInitial(ArrayList::new);

  private static final int KEEP = 8;

  private static Pointer previous;

  private LibbpfLog() {}

  static synchronized void install(LibBpf bpf) {
    if (previous == null) {
      previous = bpf.libbpf_set_print(CALLBACK);
    }
  }

  public static synchronized void uninstall() {
    if (previous != null) {
      Native.bpf().libbpf_set_print(previous);
      previous = null;
    }
  }

  /** The warnings libbpf printed on this thread since the last call, oldest first. */
  public static List<String> takeWarnings() {
    List<String> w = WARNINGS.get();
    List<String> copy = List.copyOf(w);
    w.clear();
    return copy;
  }

  private static int print(int level, Pointer format, Pointer args) {
    if (level > INFO && !LOG.isTraceEnabled()) {
      return 0; // libbpf's debug chatter is formatted only when someone reads it
    }
    Pointer buf = Native.allocate(BUF);
    int n = Native.libc().vsnprintf(buf, BUF, format, args);
    String msg = buf.getString(0).strip();
    if (msg.startsWith(PREFIX)) {
      msg = msg.substring(PREFIX.length()); // the logger's name says it
    }
    if (level == WARN && msg.startsWith(KERNEL)) {
      LOG.debug("{}", msg);
    } else if (level == WARN) {
      LOG.warn("{}", msg);
      List<String> w = WARNINGS.get();
      if (w.size() == KEEP) {
        w.remove(0);
      }
      w.add(msg);
    } else if (level == INFO) {
      LOG.info("{}", msg);
    } else {
      LOG.trace("{}", msg);
    }
    return n;
  }
}
