package dev.netpol.agent.internal;

import dev.netpol.launcher.spi.Command;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bin/netpol backend [--data-dir DIR] show | switch NAME}: asks the running standalone or
 * node that uses DIR, through its control channel ({@link ControlChannel}).
 */
final class BackendCommand implements Command {
  static final String USAGE =
      String.join(
          "\n",
          "usage: netpol backend [--data-dir DIR] COMMAND",
          "  show          the active backend, the wanted one, every available backend with its",
          "                health, leftovers of earlier backends, and the last switch",
          "  switch NAME   make NAME the active backend: it programs every pod and is verified,",
          "                then the old one releases its kernel state (make-before-break); a",
          "                failed switch leaves the old one active and says why (exit 1)",
          "  --data-dir DIR  the data dir of the running standalone or node (default: the one",
          "                running under ~/.netpol/standalone, node or start)",
          "");

  private final Path home;

  BackendCommand() {
    this(Path.of(System.getProperty("user.home"), ".netpol"));
  }

  BackendCommand(Path home) {
    this.home = home;
  }

  @Override
  public String summary() {
    return "the running node's enforcement backend: show | switch NAME";
  }

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err) {
    if (args.contains("--help") || args.contains("-h")) {
      out.print(USAGE);
      return 0;
    }
    Path dir = null;
    List<String> words = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a.equals("--data-dir") || a.startsWith("--data-dir=")) {
        String v = a.contains("=") ? a.substring(a.indexOf('=') + 1) : null;
        if (v == null) {
          if (i + 1 >= args.size()) {
            err.println("netpol backend: --data-dir needs a directory");
            return 2;
          }
          v = args.get(++i);
        }
        dir = Path.of(v).toAbsolutePath();
      } else if (a.startsWith("-")) {
        err.println("netpol backend: unknown option " + a + "\n" + USAGE);
        return 2;
      } else {
        words.add(a);
      }
    }
    String request;
    if (words.equals(List.of("show"))) {
      request = "show";
    } else if (words.size() == 2 && words.get(0).equals("switch")) {
      if (!words.get(1).matches("[A-Za-z0-9][-A-Za-z0-9_.]*")) {
        err.println("netpol backend switch: '" + words.get(1) + "' is not a backend name");
        return 2;
      }
      request = "switch " + words.get(1);
    } else {
      err.print(
          "netpol backend: "
              + (words.isEmpty() ? "a command is needed" : "cannot understand " + words)
              + "\n"
              + USAGE);
      return 2;
    }
    Path socket;
    try {
      socket = dir == null ? findRunning() : ControlChannel.socketIn(dir);
    } catch (IllegalStateException e) {
      err.println("netpol backend: " + e.getMessage());
      return 1;
    }
    if (!Files.exists(socket)) {
      err.println(
          "netpol backend: no running netpol uses data dir "
              + socket.getParent().getParent()
              + " ("
              + socket
              + " does not exist)");
      return 1;
    }
    try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
      c.write(java.nio.ByteBuffer.wrap((request + "\n").getBytes(StandardCharsets.UTF_8)));
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(Channels.newInputStream(c), StandardCharsets.UTF_8));
      String line;
      int exit = 1;
      while ((line = in.readLine()) != null) {
        if (line.startsWith("exit ")) {
          exit = Integer.parseInt(line.substring(5).trim());
        } else {
          out.println(line);
        }
      }
      return exit;
    } catch (IOException e) {
      err.println(
          "netpol backend: the netpol using "
              + socket.getParent().getParent()
              + " does not answer ("
              + e.getMessage()
              + ")");
      return 1;
    }
  }

  /** The control socket of the one netpol running under ~/.netpol, if exactly one is. */
  private Path findRunning() {
    List<Path> found = new ArrayList<>();
    for (String cmd : List.of("standalone", "node", "start")) {
      Path s = ControlChannel.socketIn(home.resolve(cmd));
      if (Files.exists(s)) {
        found.add(s);
      }
    }
    if (found.isEmpty()) {
      throw new IllegalStateException(
          "no running netpol found under "
              + home
              + " (standalone, node, start); give --data-dir DIR");
    }
    if (found.size() > 1) {
      throw new IllegalStateException(
          "several netpol data dirs under "
              + home
              + " have a control channel: "
              + found.stream().map(p -> p.getParent().getParent().toString()).toList()
              + "; give --data-dir DIR");
    }
    return found.get(0);
  }
}
