package dev.netpol.ebpf.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

      // another process holds it (flock -o: only flock itself keeps the fd), then dies by SIGKILL
      Process holder =
          new ProcessBuilder("flock", "-o", root.toString(), "sleep", "60")
              .redirectErrorStream(true)
              .start();
      try {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        boolean held = false;
        while (!held && System.nanoTime() < deadline) {
          var probe = DirectoryLock.tryLock(root);
          held = probe.isEmpty();
          probe.ifPresent(DirectoryLock::close);
          if (!held) {
            Thread.sleep(20);
          }
        }
        assertTrue(held, "the flock process holds the directory");
        holder.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        assertFalse(holder.isAlive());
        try (DirectoryLock after = DirectoryLock.tryLock(root).orElseThrow()) {
          assertEquals(root, after.directory());
        }
      } finally {
        holder.descendants().forEach(ProcessHandle::destroyForcibly);
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
