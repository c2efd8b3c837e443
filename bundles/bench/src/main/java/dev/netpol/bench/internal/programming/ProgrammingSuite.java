package dev.netpol.bench.internal.programming;

import dev.netpol.bench.internal.BenchContext;
import dev.netpol.bench.internal.Suite;
import dev.netpol.bench.internal.Table;
import dev.netpol.bench.internal.cluster.ClusterFixture;
import dev.netpol.bench.internal.cluster.NetpolProcess;
import dev.netpol.lab.ProbeResult;
import java.time.Duration;

/**
 * {@code bench programming}: how fast a policy change is enforced on real packets on a node with
 * many pods and policies, per backend; a cold node's start; the first policy after start; each
 * backend's own cost of programming N rules; and what allowed connections see around changes.
 */
public final class ProgrammingSuite implements Suite {
  @Override
  public String name() {
    return "programming";
  }

  @Override
  public String summary() {
    return "policy change to enforced on real packets (110 pods, 1,000 policies), cold node, first policy, N rules per backend";
  }

  @Override
  public void plan(BenchContext ctx) {
    int b = ctx.backends.size();
    ctx.progress.plan(1, ctx.size.full() ? 150 : 40); // the node's pods and policies
    ctx.progress.plan(b, 10); // cold node
    ctx.progress.plan(b, ctx.size.policyChanges() * 2.0 + 5); // changes
    ctx.progress.plan(b * ctx.size.firstPolicyRepeats(), 20); // first policy
    ctx.progress.plan(b, ctx.size.full() ? 240 : 15); // rules in-process
  }

  @Override
  public void run(BenchContext ctx) throws Exception {
    Table changes = new Table("programming");
    Table connects = new Table("programming-connects");
    Table slow = new Table("programming-slow-connects");
    Table samples = new Table("programming-samples");
    Table cold = new Table("programming-cold-node");
    Table first = new Table("programming-first-policy");
    Table rules = new Table("programming-rules");
    long t = System.nanoTime();
    ClusterFixture cluster = ClusterFixture.get(ctx);
    ctx.progress.done(
        name(),
        "node workload",
        ctx.size.full() ? 150 : 40,
        cluster.pods
            + " pods, "
            + cluster.policies
            + " policies, "
            + cluster.rules
            + " rules in "
            + secs(t));
    for (String backend : ctx.backends) {
      NetpolProcess node = cluster.startNode(backend);
      long synced = node.awaitSynced(120);
      long programmed = node.awaitProgrammed(cluster.pods, 300);
      cold.add(
          "backend",
          backend,
          "pods",
          cluster.pods,
          "policies",
          cluster.policies,
          "start_to_synced_s",
          (synced - node.startedNanos) / 1e9,
          "synced_to_programmed_s",
          (programmed - synced) / 1e9,
          "start_to_programmed_s",
          (programmed - node.startedNanos) / 1e9,
          "rss_mib",
          node.rssMib());
      ctx.progress.done(
          name(),
          backend + " cold node",
          10,
          String.format(
              "%d pods programmed %.2f s after start (%.2f s after sync)",
              cluster.pods, (programmed - node.startedNanos) / 1e9, (programmed - synced) / 1e9));
      verifyBaseline(cluster, backend);
      t = System.nanoTime();
      PolicyChanges.run(ctx, cluster, node, changes, connects, samples, slow);
      ctx.progress.done(
          name(),
          backend + " policy changes",
          ctx.size.policyChanges() * 2.0 + 5,
          ProgrammingReport.changeHeadline(changes, backend) + " (" + secs(t) + ")");
      cluster.stopAndWipe(node);
      writeAll(ctx, changes, connects, slow, samples, cold, first, rules);
    }
    for (String backend : ctx.backends) {
      for (int r = 1; r <= ctx.size.firstPolicyRepeats(); r++) {
        t = System.nanoTime();
        FirstPolicy.run(ctx, backend, r, first);
        ctx.progress.done(
            name(),
            backend + " first policy " + r,
            20,
            ProgrammingReport.firstHeadline(first, backend, r) + " (" + secs(t) + ")");
      }
    }
    for (String backend : ctx.backends) {
      t = System.nanoTime();
      RuleProgramming.run(ctx, backend, rules);
      ctx.progress.done(name(), backend + " rules in-process", ctx.size.full() ? 240 : 15, secs(t));
    }
    writeAll(ctx, changes, connects, slow, samples, cold, first, rules);
    ProgrammingReport.write(ctx, cluster, changes, connects, slow, samples, cold, first, rules);
  }

  /** Before timing changes: the always-allowed client connects, the switched one is blocked. */
  static void verifyBaseline(ClusterFixture c, String backend) {
    ProbeResult ok = c.lab.probe(c.always.key(), c.srv.ipv4(), 80, "tcp", Duration.ofMillis(1500));
    ProbeResult blocked = c.lab.probe(c.cli.key(), c.srv.ipv4(), 80, "tcp", Duration.ofMillis(500));
    if (!ok.connected() || blocked.connected()) {
      throw new IllegalStateException(
          backend
              + ": baseline not enforced (always → srv: "
              + ok.detail()
              + "; cli → srv: "
              + blocked.detail()
              + ")");
    }
  }

  static void writeAll(BenchContext ctx, Table... tables) throws java.io.IOException {
    for (Table t : tables) {
      t.write(ctx.out);
    }
  }

  static String secs(long since) {
    return String.format("%.0f s", (System.nanoTime() - since) / 1e9);
  }
}
