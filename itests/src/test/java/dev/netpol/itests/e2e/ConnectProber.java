package dev.netpol.itests.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A continuous stream of new TCP connections from inside a pod's network namespace: one
 * non-blocking connect every {@code intervalMs}, each given {@code 0.3 s} to get the server's
 * reply, until stopped. Counts attempts and the ones that got a reply (with their start times), so
 * a test can tell that not a single one got through while it changed policies.
 */
final class ConnectProber implements AutoCloseable {
  record Result(int attempts, int connected, List<Double> connectedAt) {}

  private static final String SCRIPT =
      String.join(
          "\n",
          "import os,selectors,socket,sys,time",
          "host,port,interval,stop=sys.argv[1],int(sys.argv[2]),float(sys.argv[3]),sys.argv[4]",
          "fam=socket.AF_INET6 if ':' in host else socket.AF_INET",
          "sel=selectors.DefaultSelector(); pending={}; attempts=0; ok=[]; nxt=time.time()",
          "print('started', flush=True)",
          "while True:",
          "  now=time.time(); running=not os.path.exists(stop)",
          "  if not running and not pending: break",
          "  if running and now>=nxt:",
          "    s=socket.socket(fam,socket.SOCK_STREAM); s.setblocking(False)",
          "    s.connect_ex((host,port)); sel.register(s,selectors.EVENT_READ)",
          "    pending[s]=now; attempts+=1; nxt=now+interval",
          "  for key,_ in sel.select(timeout=0.002):",
          "    s=key.fileobj",
          "    try: d=s.recv(64)",
          "    except OSError: d=b''",
          "    if d: ok.append(pending[s])",
          "    sel.unregister(s); s.close(); del pending[s]",
          "  for s,t in list(pending.items()):",
          "    if now-t>0.3: sel.unregister(s); s.close(); del pending[s]",
          "print('result',attempts,len(ok),' '.join('%.3f'%t for t in ok),flush=True)");

  private final Process process;
  private final Path stop;
  private final Path out;

  private ConnectProber(Process process, Path stop, Path out) {
    this.process = process;
    this.stop = stop;
    this.out = out;
  }

  /** Starts probing {@code ip:port} from {@code netns}; waits until the prober runs. */
  static ConnectProber start(
      Path workDir, String name, String netns, String ip, int port, long intervalMs)
      throws IOException, InterruptedException {
    Path stop = workDir.resolve(name + ".stop");
    Path out = workDir.resolve(name + ".out");
    Files.deleteIfExists(stop);
    Process p =
        new ProcessBuilder(
                "ip",
                "netns",
                "exec",
                netns,
                "/usr/bin/python3",
                "-c",
                SCRIPT,
                ip,
                String.valueOf(port),
                String.valueOf(intervalMs / 1000.0),
                stop.toString())
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    long end = System.currentTimeMillis() + 10_000;
    while (!Files.readString(out).contains("started")) {
      if (!p.isAlive() || System.currentTimeMillis() > end) {
        throw new AssertionError("prober " + name + " did not start: " + Files.readString(out));
      }
      Thread.sleep(20);
    }
    return new ConnectProber(p, stop, out);
  }

  /** Stops probing, waits for the attempts in flight, and returns the counts. */
  Result stop() throws IOException, InterruptedException {
    Files.writeString(stop, "");
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("prober did not stop: " + Files.readString(out));
    }
    String line =
        Files.readAllLines(out).stream()
            .filter(l -> l.startsWith("result "))
            .findFirst()
            .orElseThrow(() -> new AssertionError("prober printed no result: " + readOut()));
    String[] w = line.trim().split("\\s+");
    List<Double> at = java.util.Arrays.stream(w).skip(3).map(Double::parseDouble).toList();
    return new Result(Integer.parseInt(w[1]), Integer.parseInt(w[2]), at);
  }

  private String readOut() {
    try {
      return Files.readString(out);
    } catch (IOException e) {
      return e.toString();
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
