package dev.netpol.backend.ebpf.internal;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fan-out of verdict events: a ring buffer has one consumer, and while the agent runs that is its
 * flow log. The flow log hands every record to this tap, which copies it to each `netpol ebpf
 * events` reader connected to a Unix socket named after the pin root (bpffs holds no sockets). A
 * reader that falls behind is disconnected rather than slowing the flow log down.
 */
public final class EventTap implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EventTap.class);

  private final Path path;
  private final ServerSocketChannel server;
  private final List<SocketChannel> readers = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  private EventTap(Path path, ServerSocketChannel server) {
    this.path = path;
    this.server = server;
    this.acceptor = new Thread(this::accept, "netpol-event-tap");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** The socket of the root's tap: {@code netpol.ebpf.tap.dir} (default /run/netpol)/events-ID. */
  public static Path socketFor(Path pinRoot) {
    try {
      byte[] h =
          MessageDigest.getInstance("SHA-256")
              .digest(pinRoot.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8));
      String dir = System.getProperty("netpol.ebpf.tap.dir", "/run/netpol");
      return Path.of(dir, "events-" + HexFormat.of().formatHex(h, 0, 6) + ".sock");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Opens the tap; the caller holds the pin root's lock, so a socket file left there is stale.
   * Returns null (logged) if the socket cannot be made: events then stay with the flow log.
   */
  public static EventTap open(Path pinRoot) {
    Path p = socketFor(pinRoot);
    try {
      Files.createDirectories(p.getParent());
      Files.deleteIfExists(p);
      ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
      s.bind(UnixDomainSocketAddress.of(p));
      return new EventTap(p, s);
    } catch (IOException | RuntimeException e) {
      LOG.warn("event tap {}: not available ({}); `netpol ebpf events` sees none", p, e.toString());
      return null;
    }
  }

  /** Connects a reader to the root's tap, or returns null if no agent serves one. */
  public static SocketChannel connect(Path pinRoot) {
    Path p = socketFor(pinRoot);
    if (!Files.exists(p)) {
      return null;
    }
    try {
      return SocketChannel.open(UnixDomainSocketAddress.of(p));
    } catch (IOException e) {
      return null;
    }
  }

  public Path path() {
    return path;
  }

  public int readers() {
    return readers.size();
  }

  private void accept() {
    while (server.isOpen()) {
      try {
        SocketChannel c = server.accept();
        c.configureBlocking(false);
        readers.add(c);
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  /** Copies one record to every reader; never blocks. */
  public void publish(byte[] record) {
    for (SocketChannel c : readers) {
      try {
        ByteBuffer b = ByteBuffer.wrap(record);
        c.write(b);
        if (b.hasRemaining()) {
          drop(c); // a partial record would garble the stream: this reader is too slow
        }
      } catch (IOException e) {
        drop(c);
      }
    }
  }

  private void drop(SocketChannel c) {
    readers.remove(c);
    try {
      c.close();
    } catch (IOException ignored) {
      // gone anyway
    }
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException ignored) {
      // closing
    }
    readers.forEach(this::drop);
    try {
      Files.deleteIfExists(path);
    } catch (IOException ignored) {
      // a stale socket file is replaced by the next agent
    }
  }
}
