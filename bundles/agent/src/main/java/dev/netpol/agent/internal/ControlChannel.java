package dev.netpol.agent.internal;

import dev.netpol.platform.guice.Managed;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.osgi.framework.BundleContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running agent's local control channel: a Unix domain socket at {@code DIR/agent/control.sock}
 * (directory 0700, socket 0600, so only the user running the node can use it), where {@code
 * bin/netpol backend --data-dir DIR} sends one request line and reads the reply.
 *
 * <p>Protocol: the client writes {@code show} or {@code switch NAME} and a newline; the agent
 * answers with text lines for the operator and a last line {@code exit N} (the command's status). A
 * Unix socket rather than a localhost port: no port to pick or leak, and file permissions decide
 * who may switch the node's enforcement.
 */
final class ControlChannel implements Managed {
  static final String SOCKET = "agent/control.sock";

  /** sun_path holds 108 bytes with the terminating NUL. */
  static final int MAX_PATH_BYTES = 107;

  private static final Logger LOG = LoggerFactory.getLogger(ControlChannel.class);
  private final NodeAgent agent;
  private final BundleContext context;
  private ServerSocketChannel server;
  private Path socket;
  private Thread acceptor;

  @Inject
  ControlChannel(NodeAgent agent, BundleContext context) {
    this.agent = agent;
    this.context = context;
  }

  /** Where the control socket of the node using {@code dataDir} is. */
  static Path socketIn(Path dataDir) {
    return dataDir.resolve(SOCKET);
  }

  @Override
  public void start() throws IOException {
    String dir = context.getProperty("netpol.data.dir");
    if (dir == null) {
      LOG.debug("no netpol.data.dir: the backend control channel is off");
      return;
    }
    Path path = socketIn(Path.of(dir).toAbsolutePath());
    if (path.toString().getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
      LOG.warn(
          "control channel off: {} is longer than a Unix socket path may be ({} bytes); use a"
              + " shorter --data-dir for bin/netpol backend",
          path,
          MAX_PATH_BYTES);
      return;
    }
    Files.createDirectories(path.getParent());
    Files.setPosixFilePermissions(path.getParent(), PosixFilePermissions.fromString("rwx------"));
    if (Files.exists(path)) {
      if (answers(path)) {
        LOG.error(
            "control channel off: another netpol is running with data dir {} ({} answers)",
            dir,
            path);
        return;
      }
      Files.delete(path); // left by a process that died
    }
    server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(path));
    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
    socket = path;
    acceptor = new Thread(this::accept, "netpol-agent-control");
    acceptor.setDaemon(true);
    acceptor.start();
    LOG.info("backend control channel at {} (bin/netpol backend --data-dir {})", path, dir);
  }

  private static boolean answers(Path path) {
    try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
      return c.isConnected();
    } catch (IOException e) {
      return false;
    }
  }

  private void accept() {
    while (server != null && server.isOpen()) {
      try {
        SocketChannel c = server.accept();
        Thread t = new Thread(() -> serve(c), "netpol-agent-control-request");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        if (server != null && server.isOpen()) {
          LOG.warn("control channel: {}", e.getMessage());
        }
        return;
      }
    }
  }

  private void serve(SocketChannel c) {
    try (c;
        BufferedReader in =
            new BufferedReader(
                new InputStreamReader(Channels.newInputStream(c), StandardCharsets.UTF_8));
        OutputStream out = Channels.newOutputStream(c)) {
      String line = in.readLine();
      BackendReport.Reply reply = handle(line == null ? "" : line.trim());
      StringBuilder b = new StringBuilder();
      reply.lines().forEach(l -> b.append(l).append('\n'));
      b.append("exit ").append(reply.exit()).append('\n');
      out.write(b.toString().getBytes(StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException e) {
      LOG.warn("control channel request failed: {}", e.toString());
    }
  }

  BackendReport.Reply handle(String request) {
    List<String> words = List.of(request.split("\\s+"));
    if (words.get(0).equals("show") && words.size() == 1) {
      return new BackendReport.Reply(BackendReport.show(agent), 0);
    }
    if (words.get(0).equals("switch") && words.size() == 2) {
      LOG.info("control channel: switch to backend {} requested", words.get(1));
      return BackendReport.switched(agent.switchBackend(words.get(1)));
    }
    return new BackendReport.Reply(List.of("unknown request '" + request + "'"), 2);
  }

  @Override
  public void stop() throws IOException {
    ServerSocketChannel s = server;
    server = null;
    if (s != null) {
      s.close();
    }
    if (socket != null) {
      Files.deleteIfExists(socket);
    }
  }
}
