package dev.netpol.itests.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The long-lived agent.py inside one pod: its servers answer probes, its prober sends them.
 * Requests and answers are JSON lines; many probes are in flight at once, matched by id. SCTP
 * arrivals are reported by the destination's agent and matched by the INIT's initiate tag.
 */
final class PodAgent implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicLong IDS = new AtomicLong();

  /**
   * One probe's answer: whether it connected (TCP/UDP) or was sent (SCTP), and the reply or error.
   */
  record Reply(boolean ok, String detail) {}

  final String name;
  private final Process process;
  private final Writer stdin;
  private final Map<Long, CompletableFuture<Reply>> pending = new ConcurrentHashMap<>();
  private final Map<Long, CompletableFuture<Integer>> captures = new ConcurrentHashMap<>();
  private final CompletableFuture<Void> ready = new CompletableFuture<>();

  /**
   * Starts agent.py in the pod; {@code servers}: also serve TCP/UDP on the ports (else the pod has
   * its own).
   */
  PodAgent(String netns, String name, Path script, List<Integer> ports, boolean servers)
      throws IOException {
    this.name = name;
    List<String> cmd =
        new java.util.ArrayList<>(
            List.of("ip", "netns", "exec", netns, "python3", "-u", script.toString(), name));
    if (!servers) {
      cmd.add("--no-servers");
    }
    ports.forEach(p -> cmd.add(String.valueOf(p)));
    process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader = new Thread(this::readLoop, "agent-" + name);
    reader.setDaemon(true);
    reader.start();
    try {
      ready.get(15, TimeUnit.SECONDS);
    } catch (Exception e) {
      close();
      throw new IllegalStateException(
          "agent in pod " + name + " (netns " + netns + ") did not start", e);
    }
  }

  private void readLoop() {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        JsonNode n = JSON.readTree(line);
        if (n.has("ready")) {
          ready.complete(null);
        } else if (n.has("cap")) {
          CompletableFuture<Integer> f = captures.remove(n.get("cap").asLong());
          if (f != null) {
            f.complete(n.get("port").asInt());
          }
        } else if (n.has("id")) {
          CompletableFuture<Reply> f = pending.remove(n.get("id").asLong());
          if (f != null) {
            f.complete(new Reply(n.get("ok").asBoolean(), n.path("r").asText()));
          }
        }
      }
    } catch (IOException e) {
      // the agent is gone; fail whatever waits below
    }
    IllegalStateException gone = new IllegalStateException("agent in pod " + name + " exited");
    ready.completeExceptionally(gone);
    pending.values().forEach(f -> f.completeExceptionally(gone));
  }

  CompletableFuture<Reply> probe(
      Protocol protocol, String host, int port, double timeoutSeconds, long token) {
    long id = IDS.incrementAndGet();
    CompletableFuture<Reply> f = new CompletableFuture<>();
    pending.put(id, f);
    String req =
        "{\"id\":"
            + id
            + ",\"p\":\""
            + protocol.lower()
            + "\",\"h\":\""
            + host
            + "\",\"port\":"
            + port
            + ",\"t\":"
            + timeoutSeconds
            + ",\"tok\":"
            + token
            + "}\n";
    try {
      synchronized (stdin) {
        stdin.write(req);
        stdin.flush();
      }
    } catch (IOException e) {
      pending.remove(id);
      f.completeExceptionally(e);
    }
    return f;
  }

  /** Completes with the destination port when an SCTP INIT with this initiate tag arrives here. */
  CompletableFuture<Integer> expectSctp(long token) {
    return captures.computeIfAbsent(token, t -> new CompletableFuture<>());
  }

  void forgetSctp(long token) {
    captures.remove(token);
  }

  boolean alive() {
    return process.isAlive();
  }

  @Override
  public void close() {
    try {
      stdin.close();
    } catch (IOException e) {
      // already gone
    }
    process.destroyForcibly();
  }
}
