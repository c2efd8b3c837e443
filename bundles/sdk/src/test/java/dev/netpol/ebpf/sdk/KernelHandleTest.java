package dev.netpol.ebpf.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * An owned fd is closed exactly once however many threads close its handle at the same moment: a
 * second close(2) of the same number would close whatever the process opened under it meanwhile.
 */
@KernelTest
class KernelHandleTest {
  /** A handle over a real map fd that counts how often it closes the fd. */
  static final class CountingHandle extends KernelHandle {
    final AtomicInteger closes = new AtomicInteger();

    CountingHandle(int fd) {
      super(fd, true, null);
    }

    @Override
    void closeFd(int fd) {
      closes.incrementAndGet();
      super.closeFd(fd);
    }

    @Override
    public String describe() {
      return "counting handle";
    }
  }

  @Test
  void concurrentClosesCloseTheFdOnce() throws Exception {
    int threads = 4;
    for (int round = 0; round < 500; round++) {
      BpfMap map = BpfMap.create(MapType.ARRAY, 4, 8, 1, 0, "np_close_race");
      CountingHandle h = new CountingHandle(map.fd());
      map.markClosed(); // the counting handle owns the fd now
      CyclicBarrier start = new CyclicBarrier(threads);
      Thread[] ts = new Thread[threads];
      for (int t = 0; t < threads; t++) {
        ts[t] =
            new Thread(
                () -> {
                  try {
                    start.await();
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                  h.close();
                  h.close();
                });
        ts[t].start();
      }
      for (Thread t : ts) {
        t.join();
      }
      assertEquals(1, h.closes.get(), "round " + round + ": close(2) calls on one fd");
      assertThrows(IllegalStateException.class, h::fd, "a closed handle hands out no fd");
    }
  }
}
