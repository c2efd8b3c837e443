package dev.netpol.ebpf.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** flock on a bpffs directory: exclusive, also within one process, and freed when a holder dies. */
@KernelTest
class DirectoryLockTest {
  @Test
  void exclusiveAndReleasedWhenTheHolderIsKilled() throws Exception {
    try (TestBpffs fs = new TestBpffs()) {
      Path root = fs.mount.resolve("root");
      Files.createDirectories(root);
      try (DirectoryLock first = DirectoryLock.tryLock(root).orElseThrow()) {
        assertEquals(root, first.directory());
        assertTrue(DirectoryLock.tryLock(root).isEmpty(), "held by this process already");
      }
      DirectoryLock again = DirectoryLock.tryLock(root).orElseThrow();
      again.close();
      again.close();

      // another process holds it, then dies by SIGKILL. The holder must not fork: flock(1) forks
      // its command, and a child killed between fork and closing its copy of the fd would keep
      // the lock past the holder's death.
      Process holder =
          new ProcessBuilder(
                  "python3",
                  "-c",
                  "import fcntl, os, sys, time\n"
                      + "fd = os.open(sys.argv[1], os.O_RDONLY)\n"
                      + "fcntl.flock(fd, fcntl.LOCK_EX)\n"
                      + "print('held', flush=True)\n"
                      + "time.sleep(60)\n",
                  root.toString())
              .redirectErrorStream(true)
              .start();
      try {
        var out = new BufferedReader(new InputStreamReader(holder.getInputStream()));
        assertEquals("held", out.readLine(), "the holder reports that it took the lock");
        var probe = DirectoryLock.tryLock(root);
        probe.ifPresent(DirectoryLock::close);
        assertTrue(probe.isEmpty(), "the holder process holds the directory");
        holder.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        assertFalse(holder.isAlive());
        try (DirectoryLock after = DirectoryLock.tryLock(root).orElseThrow()) {
          assertEquals(root, after.directory());
        }
      } finally {
        holder.destroyForcibly();
      }
    }
  }

  @Test
  void missingDirectoryIsAnErrorNamingIt() {
    BpfException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            BpfException.class, () -> DirectoryLock.tryLock(Path.of("/nonexistent-netpol-dir")));
    assertEquals("ENOENT", e.errnoName());
    assertTrue(e.getMessage().contains("/nonexistent-netpol-dir"), e.getMessage());
  }
}
