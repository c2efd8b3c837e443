package dev.netpol.itests.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Continuous traffic from inside a pod's network namespace, counted until stopped (a Python
 * process, so a test can run several at once and change policies or backends meanwhile):
 *
 * <ul>
 *   <li>{@code tcp-new}: a new non-blocking TCP connection every interval, each given 0.3 s to get
 *       the server's reply; success = a reply arrived.
 *   <li>{@code udp-new}: a datagram from a new socket (new source port) every interval, 0.3 s for a
 *       reply.
 *   <li>{@code tcp-est}: one connection kept open, a line sent every interval and its echo awaited
 *       (1 s); a missing echo or a reset is a failure, after which it reconnects.
 *   <li>{@code udp-est}: one socket (one source port) sending every interval, 1 s for the echo.
 * </ul>
 *
 * Prints {@code result ATTEMPTS OK t1 t2 ...} where the times (epoch seconds) are those of the
 * successes for {@code *-new} probes of denied flows, and of the failures for the others.
 */
final class FlowProber implements AutoCloseable {
  enum Mode {
    TCP_NEW,
    UDP_NEW,
    TCP_EST,
    UDP_EST;

    String arg() {
      return name().toLowerCase().replace('_', '-');
    }
  }

  /**
   * @param events times (epoch s) of successes (new-flow modes) or failures (established modes)
   */
  record Result(int attempts, int ok, List<Double> events) {
    int failed() {
      return attempts - ok;
    }
  }

  private static final String SCRIPT =
      String.join(
          "\n",
          "import os,selectors,socket,sys,time",
          "mode,host,port,interval,stop=sys.argv[1],sys.argv[2],int(sys.argv[3]),float(sys.argv[4]),sys.argv[5]",
          "fam=socket.AF_INET6 if ':' in host else socket.AF_INET",
          "attempts=0; ok=0; ev=[]",
          "def running(): return not os.path.exists(stop)",
          "if mode in ('tcp-new','udp-new'):",
          "  sel=selectors.DefaultSelector(); pending={}; nxt=time.time()",
          "  print('started', flush=True)",
          "  while True:",
          "    now=time.time(); run=running()",
          "    if not run and not pending: break",
          "    if run and now>=nxt:",
          "      if mode=='tcp-new':",
          "        s=socket.socket(fam,socket.SOCK_STREAM); s.setblocking(False); s.connect_ex((host,port))",
          "      else:",
          "        s=socket.socket(fam,socket.SOCK_DGRAM); s.setblocking(False); s.sendto(b'probe',(host,port))",
          "      sel.register(s,selectors.EVENT_READ); pending[s]=now; attempts+=1; nxt=now+interval",
          "    for key,_ in sel.select(timeout=0.002):",
          "      s=key.fileobj",
          "      try: d=s.recv(64)",
          "      except OSError: d=b''",
          "      if d: ok+=1; ev.append(pending[s])",
          "      sel.unregister(s); s.close(); del pending[s]",
          "    for s,t in list(pending.items()):",
          "      if now-t>0.3: sel.unregister(s); s.close(); del pending[s]",
          "else:",
          "  s=None; n=0",
          "  def connect():",
          "    if mode=='tcp-est':",
          "      c=socket.create_connection((host,port),timeout=1.0)",
          "    else:",
          "      c=socket.socket(fam,socket.SOCK_DGRAM); c.settimeout(1.0); c.connect((host,port))",
          "    return c",
          "  s=connect(); print('started', flush=True)",
          "  while running():",
          "    n+=1; msg=('%d\\n'%n).encode(); attempts+=1; t=time.time()",
          "    try:",
          "      s.send(msg); got=b''",
          "      while not got.endswith(msg):",
          "        d=s.recv(64)",
          "        if not d: raise OSError('closed')",
          "        got=(got+d)[-64:] if mode=='tcp-est' else d",
          "      ok+=1",
          "    except OSError:",
          "      ev.append(t)",
          "      try: s.close()",
          "      except OSError: pass",
          "      try: s=connect()",
          "      except OSError: time.sleep(0.2)",
          "    time.sleep(max(0,interval-(time.time()-t)))",
          "print('result',attempts,ok,' '.join('%.3f'%t for t in ev),flush=True)");

  /** An echo server for the established-flow modes: TCP and UDP on one port, in a pod. */
  private static final String ECHO =
      String.join(
          "\n",
          "import socket,sys,threading",
          "port=int(sys.argv[1])",
          "def tcp_client(c):",
          "  with c:",
          "    while True:",
          "      d=c.recv(4096)",
          "      if not d: return",
          "      c.sendall(d)",
          "def tcp():",
          "  l=socket.socket(); l.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)",
          "  l.bind(('0.0.0.0',port)); l.listen(64)",
          "  while True:",
          "    c,_=l.accept(); threading.Thread(target=tcp_client,args=(c,),daemon=True).start()",
          "def udp():",
          "  u=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); u.bind(('0.0.0.0',port))",
          "  while True:",
          "    d,a=u.recvfrom(4096); u.sendto(d,a)",
          "threading.Thread(target=udp,daemon=True).start()",
          "print('serving',flush=True)",
          "tcp()");

  private final Process process;
  private final Path stop;
  private final Path out;

  private FlowProber(Process process, Path stop, Path out) {
    this.process = process;
    this.stop = stop;
    this.out = out;
  }

  /** Starts {@code mode} traffic to {@code ip:port} from {@code netns}; returns once it runs. */
  static FlowProber start(
      Path workDir, String name, Mode mode, String netns, String ip, int port, long intervalMs)
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
                mode.arg(),
                ip,
                String.valueOf(port),
                String.valueOf(intervalMs / 1000.0),
                stop.toString())
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    awaitLine(p, out, "started", name);
    return new FlowProber(p, stop, out);
  }

  /** Starts a TCP+UDP echo server on {@code port} inside {@code netns}; stopped on close. */
  static Process echoServer(Path workDir, String netns, int port)
      throws IOException, InterruptedException {
    Path out = workDir.resolve("echo-" + netns + ".out");
    Process p =
        new ProcessBuilder(
                "ip", "netns", "exec", netns, "/usr/bin/python3", "-c", ECHO, String.valueOf(port))
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    awaitLine(p, out, "serving", "echo server in " + netns);
    return p;
  }

  private static void awaitLine(Process p, Path out, String line, String what)
      throws IOException, InterruptedException {
    long end = System.currentTimeMillis() + 10_000;
    while (!Files.readString(out).contains(line)) {
      if (!p.isAlive() || System.currentTimeMillis() > end) {
        throw new AssertionError(what + " did not start: " + Files.readString(out));
      }
      Thread.sleep(20);
    }
  }

  /** Stops the traffic, waits for what is in flight, returns the counts. */
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
    List<Double> at = Arrays.stream(w).skip(3).map(Double::parseDouble).toList();
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
