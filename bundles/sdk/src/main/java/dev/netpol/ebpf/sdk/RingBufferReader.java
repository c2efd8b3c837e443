package dev.netpol.ebpf.sdk;

import dev.netpol.ebpf.sdk.internal.LibBpf;
import dev.netpol.ebpf.sdk.internal.Native;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import jnr.ffi.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes a BPF_MAP_TYPE_RINGBUF map on one dedicated thread: {@code ring_buffer__poll} in a loop,
 * each record copied and handed to the handler on that thread. {@link #close()} stops the loop
 * (within one poll interval), joins the thread and frees the ring buffer.
 *
 * <p>A handler exception is logged and counted ({@link #handlerErrors()}); consumption goes on.
 */
public final class RingBufferReader implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RingBufferReader.class);
  private static final int EINTR = 4;
  private static final int POLL_MS = 100;

  private final BpfMap map;
  private final Consumer<ByteBuffer> handler;

  /** Held strongly: the native trampoline lives only as long as this object. */
  private final LibBpf.SampleCallback callback;

  private final Pointer ringBuffer;
  private final Thread thread;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong handlerErrors = new AtomicLong();
  private volatile boolean running = true;
  private volatile BpfException failure;

  private RingBufferReader(BpfMap map, Consumer<ByteBuffer> handler) {
    if (map.type() != MapType.RINGBUF) {
      throw new IllegalArgumentException(map.describe() + " is " + map.type() + ", not RINGBUF");
    }
    this.map = map;
    this.handler = handler;
    this.callback = this::onSample;
    this.ringBuffer = Native.bpf().ring_buffer__new(map.fd(), callback, null, null);
    if (ringBuffer == null) {
      throw new BpfException("ring_buffer__new", map.describe(), Native.lastErrno());
    }
    this.thread = new Thread(this::pollLoop, "bpf-ringbuf-" + map.name());
    thread.setDaemon(true);
  }

  /**
   * Starts reading. The handler gets a little-endian buffer over a copy of one record; it may keep
   * it.
   */
  public static RingBufferReader start(BpfMap map, Consumer<ByteBuffer> handler) {
    RingBufferReader r = new RingBufferReader(map, handler);
    r.thread.start();
    LOG.info("reading ring buffer {}", map.describe());
    return r;
  }

  /**
   * Starts reading records decoded by {@code codec} (records must be at least codec.size() bytes).
   */
  public static <T> RingBufferReader start(BpfMap map, Codec<T> codec, Consumer<T> handler) {
    return start(map, buf -> handler.accept(codec.read(buf)));
  }

  private int onSample(Pointer ctx, Pointer data, long size) {
    byte[] copy = new byte[(int) size];
    data.get(0, copy, 0, copy.length);
    received.incrementAndGet();
    try {
      handler.accept(ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN));
    } catch (RuntimeException e) {
      handlerErrors.incrementAndGet();
      LOG.warn("ring buffer {}: handler failed on a {} byte record", map.describe(), size, e);
    }
    return 0;
  }

  private void pollLoop() {
    try {
      while (running) {
        int rc = Native.bpf().ring_buffer__poll(ringBuffer, POLL_MS);
        if (rc < 0 && rc != -EINTR) {
          failure = new BpfException("ring_buffer__poll", map.describe(), -rc);
          LOG.error("ring buffer {} stopped: {}", map.describe(), failure.getMessage());
          return;
        }
      }
    } finally {
      Native.bpf().ring_buffer__free(ringBuffer);
      stopped.countDown();
    }
  }

  /** Records handed to the handler so far. */
  public long received() {
    return received.get();
  }

  public long handlerErrors() {
    return handlerErrors.get();
  }

  /** Whether the poll thread is still running (false after close or a poll error). */
  public boolean running() {
    return stopped.getCount() > 0;
  }

  /** The poll error that stopped the reader, if any. */
  public BpfException failure() {
    return failure;
  }

  /** Stops polling, waits for the thread and frees the ring buffer. Idempotent. */
  @Override
  public void close() {
    running = false;
    if (Thread.currentThread() == thread) {
      return; // called from the handler: the loop ends after this poll
    }
    try {
      if (!stopped.await(5, TimeUnit.SECONDS)) {
        LOG.warn("ring buffer {}: poll thread did not stop within 5 s", map.describe());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
