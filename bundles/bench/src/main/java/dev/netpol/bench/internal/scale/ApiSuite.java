package dev.netpol.bench.internal.scale;

import static dev.netpol.bench.internal.Report.fmt;

import dev.netpol.bench.internal.BenchContext;
import dev.netpol.bench.internal.Charts;
import dev.netpol.bench.internal.Report;
import dev.netpol.bench.internal.Stats;
import dev.netpol.bench.internal.Suite;
import dev.netpol.bench.internal.Table;
import dev.netpol.bench.internal.cluster.ApiHttp;
import dev.netpol.bench.internal.cluster.NetpolProcess;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code bench api}: creates per second of the embedded API of a {@code bin/netpol standalone},
 * over HTTP from this process (outside the standalone), with 1 and 50 concurrent clients; then the
 * standalone is killed (SIGKILL) and restarted on its data, and every acknowledged create must
 * still be there.
 */
public final class ApiSuite implements Suite {
  static final List<Integer> CLIENTS = List.of(1, 50);

  @Override
  public String name() {
    return "api";
  }

  @Override
  public String summary() {
    return "writes/s of the embedded API over HTTP (1 and 50 clients); acknowledged writes after a crash";
  }

  @Override
  public void plan(BenchContext ctx) {
    ctx.progress.plan(CLIENTS.size(), ctx.size.apiSeconds() + 3);
    ctx.progress.plan(1, 15);
  }

  @Override
  public void run(BenchContext ctx) throws Exception {
    Path dir = ctx.work.resolve("api");
    Path pins = ctx.pinRoot("-api-writes");
    List<String> settings = List.of("netpol.serviceproxy.chain-prefix=NPW" + ctx.hex.toUpperCase());
    NetpolProcess s =
        NetpolProcess.standalone(
            ctx.netpol(),
            "bench-apiw",
            "ebpf",
            dir,
            pins,
            ctx.logFile("standalone-api-writes.log"),
            settings);
    ctx.onClose(s::close);
    s.awaitKubeconfig(90);
    s.awaitSynced(90);
    ApiHttp api = ApiHttp.of(s.kubeconfig());
    api.post(
        "/api/v1/namespaces",
        "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"bench-w\"}}");
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    Table t = new Table("api");
    write(api, 1, 2, "warm", acknowledged); // JIT and connections, not measured
    for (int clients : CLIENTS) {
      Map<String, Object> row =
          write(api, clients, ctx.size.apiSeconds(), "c" + clients, acknowledged);
      row.put("load1", dev.netpol.bench.internal.Machine.loadAverage());
      t.add(row);
      t.write(ctx.out);
      ctx.progress.done(
          name(),
          clients + " client" + (clients == 1 ? "" : "s"),
          ctx.size.apiSeconds() + 3,
          String.format(
              "%s creates/s, p50 %s ms, p99 %s ms",
              fmt((Double) row.get("writes_per_s"), 0),
              fmt((Double) row.get("p50_ms"), 2),
              fmt((Double) row.get("p99_ms"), 2)));
    }
    // a crash right after the last acknowledged write: all of them must survive
    s.kill();
    NetpolProcess again =
        NetpolProcess.standalone(
            ctx.netpol(),
            "bench-apiw",
            "ebpf",
            dir,
            pins,
            ctx.logFile("standalone-api-writes-2.log"),
            settings);
    ctx.onClose(again::close);
    again.awaitSynced(120);
    ApiHttp api2 = ApiHttp.of(again.kubeconfig());
    ApiHttp.Response list = api2.get("/api/v1/namespaces/bench-w/configmaps");
    Set<String> present = new java.util.HashSet<>();
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("\"name\":\"(w-[^\"]+)\"").matcher(list.body());
    while (m.find()) {
      present.add(m.group(1));
    }
    long lost = acknowledged.stream().filter(n -> !present.contains(n)).count();
    Table crash = new Table("api-crash");
    crash.add(
        "acknowledged",
        acknowledged.size(),
        "lost_after_sigkill",
        lost,
        "list_status",
        list.status());
    crash.write(ctx.out);
    ctx.progress.done(
        name(),
        "crash",
        15,
        lost + " of " + acknowledged.size() + " acknowledged creates lost after SIGKILL");
    again.close();
    report(ctx, t, acknowledged.size(), lost);
  }

  /** Creates ConfigMaps from {@code clients} threads for {@code seconds}; one summary row. */
  static Map<String, Object> write(
      ApiHttp api, int clients, int seconds, String tag, Set<String> acked) throws Exception {
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
    AtomicLong errors = new AtomicLong();
    AtomicLong seq = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    long t0 = System.nanoTime();
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        fs.add(
            pool.submit(
                () -> {
                  while (System.nanoTime() < end) {
                    String name = "w-" + tag + "-" + seq.incrementAndGet();
                    long a = System.nanoTime();
                    ApiHttp.Response r =
                        api.post(
                            "/api/v1/namespaces/bench-w/configmaps",
                            "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\""
                                + name
                                + "\",\"labels\":{\"bench\":\"api\"}},\"data\":{\"k\":\"a value of some sixty bytes, like a small configuration entry\"}}");
                    long b = System.nanoTime();
                    if (r.status() == 201) {
                      latencies.add((b - a) / 1e6);
                      acked.add(name);
                    } else {
                      errors.incrementAndGet();
                    }
                  }
                }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("clients", clients);
    row.put("seconds", secs);
    row.put("writes", latencies.size());
    row.put("writes_per_s", latencies.size() / secs);
    row.put("p50_ms", Stats.quantile(latencies, 0.5));
    row.put("p99_ms", Stats.quantile(latencies, 0.99));
    row.put("max_ms", latencies.stream().mapToDouble(x -> x).max().orElse(Double.NaN));
    row.put("errors", errors.get());
    return row;
  }

  static void report(BenchContext ctx, Table t, int acknowledged, long lost)
      throws java.io.IOException {
    Map<String, Map<String, Double>> bars = new LinkedHashMap<>();
    List<List<String>> rows = new ArrayList<>();
    for (Map<String, Object> r : t.rows()) {
      String c = r.get("clients") + " client" + ((Integer) r.get("clients") == 1 ? "" : "s");
      bars.computeIfAbsent("creates/s", k -> new LinkedHashMap<>())
          .put(c, (Double) r.get("writes_per_s"));
      rows.add(
          List.of(
              String.valueOf(r.get("clients")),
              String.valueOf(r.get("writes")),
              fmt((Double) r.get("writes_per_s"), 0),
              fmt((Double) r.get("p50_ms"), 2),
              fmt((Double) r.get("p99_ms"), 2),
              fmt((Double) r.get("max_ms"), 1),
              String.valueOf(r.get("errors"))));
    }
    Charts.bars(
        ctx.out.resolve("api-writes.png"),
        "Embedded API: ConfigMap creates per second over HTTP",
        "bin/netpol standalone; clients in the bench process",
        "",
        "creates per second",
        bars);
    ctx.report.section(
        "## API writes\n\n**Method.** `bin/netpol standalone` (embedded API, controller, agent); the bench"
            + " process creates ConfigMaps (~200-byte bodies) over HTTP/1.1 from 1 and from 50 threads for "
            + ctx.size.apiSeconds()
            + " s each (after a 2 s warm-up), counting 201 answers. Then the standalone is killed with"
            + " SIGKILL right after the last answer, restarted on the same data directory, and every"
            + " acknowledged create is looked up.\n\n"
            + Report.table(
                List.of("clients", "creates", "creates/s", "p50 ms", "p99 ms", "max ms", "errors"),
                rows)
            + "\nAcknowledged creates lost after SIGKILL and restart: **"
            + lost
            + " of "
            + acknowledged
            + "**.\n\n![api-writes.png](api-writes.png)\n\nRaw: `api.csv`, `api-crash.csv`.\n");
  }
}
