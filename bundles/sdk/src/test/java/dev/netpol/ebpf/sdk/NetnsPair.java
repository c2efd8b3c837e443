package dev.netpol.ebpf.sdk;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jnr.ffi.LibraryLoader;

/**
 * Two network namespaces "&lt;prefix&gt;a" and "&lt;prefix&gt;b" joined by a veth pair with the
 * same names; a: 198.18.10.1/24, fd00:198:18:10::1/64; b: .2 / ::2. Each side has a thread that has
 * entered the namespace (setns), so tc calls and sockets made there happen inside it.
 */
final class NetnsPair implements AutoCloseable {
  static final String A4 = "198.18.10.1";
  static final String B4 = "198.18.10.2";
  static final String A6 = "fd00:198:18:10::1";
  static final String B6 = "fd00:198:18:10::2";
  private static final Pattern OURS =
      Pattern.compile("^(nps[0-9a-f]{4}[ab])\\b", Pattern.MULTILINE);

  /** setns(2) and open(2) for the namespace threads. */
  public interface Libc {
    int open(String path, int flags);

    int setns(int fd, int nstype);

    int close(int fd);
  }

  private static final Libc LIBC = LibraryLoader.create(Libc.class).library("c").load();
  private static final int CLONE_NEWNET = 0x40000000;
  private static final int O_RDONLY_CLOEXEC = 0x80000;

  final String a;
  final String b;
  final ExecutorService inA;
  final ExecutorService inB;

  NetnsPair() {
    removeLeftovers();
    a = Names.prefix() + "a";
    b = Names.prefix() + "b";
    try {
      Sh.run("ip", "netns", "add", a);
      Sh.run("ip", "netns", "add", b);
      Sh.run("ip", "link", "add", a, "netns", a, "type", "veth", "peer", "name", b, "netns", b);
      setUp(a, A4, A6);
      setUp(b, B4, B6);
    } catch (RuntimeException e) {
      deleteNetns();
      throw e;
    }
    inA = enter(a);
    inB = enter(b);
  }

  private static void setUp(String ns, String v4, String v6) {
    Sh.run("ip", "-n", ns, "link", "set", "lo", "up");
    Sh.run("ip", "-n", ns, "addr", "add", v4 + "/24", "dev", ns);
    Sh.run("ip", "-n", ns, "addr", "add", v6 + "/64", "dev", ns, "nodad");
    Sh.run("ip", "-n", ns, "link", "set", ns, "up");
  }

  private static ExecutorService enter(String ns) {
    ExecutorService ex =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "netns-" + ns);
              t.setDaemon(true);
              return t;
            });
    call(
        ex,
        () -> {
          int fd = LIBC.open("/var/run/netns/" + ns, O_RDONLY_CLOEXEC);
          if (fd < 0) {
            throw new IllegalStateException("open netns " + ns + " failed");
          }
          try {
            if (LIBC.setns(fd, CLONE_NEWNET) != 0) {
              throw new IllegalStateException("setns " + ns + " failed");
            }
          } finally {
            LIBC.close(fd);
          }
          return null;
        });
    return ex;
  }

  static <T> T call(ExecutorService ex, Callable<T> task) {
    Future<T> f = ex.submit(task);
    try {
      return f.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  <T> T inA(Callable<T> task) {
    return call(inA, task);
  }

  <T> T inB(Callable<T> task) {
    return call(inB, task);
  }

  private static void removeLeftovers() {
    Matcher m = OURS.matcher(Sh.tryRun("ip", "netns", "list").output());
    while (m.find()) {
      if (!m.group(1).startsWith(Names.prefix())) {
        Sh.tryRun("ip", "netns", "del", m.group(1));
      }
    }
  }

  private void deleteNetns() {
    // deleting a namespace deletes its veth end, the peer, their qdiscs and filters
    Sh.tryRun("ip", "netns", "del", a);
    Sh.tryRun("ip", "netns", "del", b);
  }

  @Override
  public void close() {
    inA.shutdownNow();
    inB.shutdownNow();
    try {
      inA.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
      inB.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    deleteNetns();
  }
}
