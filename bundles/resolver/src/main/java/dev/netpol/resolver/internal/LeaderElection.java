package dev.netpol.resolver.internal;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs fabric8's {@code LeaderElector} on a {@link LeaseLock}, round after round: a leader that
 * loses the lease (or cannot renew it within the deadline) is told to stop and becomes a candidate
 * again. Closing releases the lease, so another candidate takes over at its next try.
 *
 * <p>Two cases lead at once, without waiting for a lease to expire: an API that does not serve
 * Leases (an older embedded API; a warning says that only one controller may run against it), and,
 * outside a pod, a lease left by a process of this host that no longer runs (a standalone node
 * killed and started again: its own old lease must not delay its first policy).
 */
public final class LeaderElection implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LeaderElection.class);

  private final KubernetesClient client;
  private final ElectionOptions options;
  private final Runnable onStart;
  private final Runnable onStop;
  private final ScheduledExecutorService rounds =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "netpol-controller-election");
            t.setDaemon(true);
            return t;
          });
  private volatile boolean running;
  private volatile boolean leading;
  private volatile String leader = "";
  private CompletableFuture<?> round;
  private final QuietLock lock;

  private final java.util.function.BooleanSupplier servesLeases;

  public LeaderElection(
      KubernetesClient client, ElectionOptions options, Runnable onStart, Runnable onStop) {
    this(client, options, onStart, onStop, null);
  }

  /** {@code servesLeases}: whether the API serves Leases (null: ask its discovery). */
  LeaderElection(
      KubernetesClient client,
      ElectionOptions options,
      Runnable onStart,
      Runnable onStop,
      java.util.function.BooleanSupplier servesLeases) {
    this.client = client;
    this.options = options;
    this.onStart = onStart;
    this.onStop = onStop;
    this.servesLeases = servesLeases == null ? this::servesLeases : servesLeases;
    this.lock =
        new QuietLock(new LeaseLock(options.namespace(), options.name(), options.identity()));
  }

  private static final long RELEASE_GRACE_MS = 5_000;

  public synchronized void start() {
    running = true;
    rounds.execute(this::begin);
  }

  /** Whether this process holds the lease (or leads without one). */
  public boolean leading() {
    return leading;
  }

  /** The identity of the current leader as last observed ("" while unknown). */
  public String leader() {
    return leader;
  }

  private void begin() {
    if (!options.enabled()) {
      LOG.info("leader election is off: {} leads", options.identity());
      startLeading();
      return;
    }
    if (!servesLeases.getAsBoolean()) {
      LOG.warn(
          "the API does not serve coordination.k8s.io/v1 Leases: leading without election"
              + " (run only one controller against this API)");
      startLeading();
      return;
    }
    releaseLeaseOfDeadLocalHolder();
    LOG.info(
        "leader election on lease {}/{} as {} (lease {}, renew deadline {}, retry every {})",
        options.namespace(),
        options.name(),
        options.identity(),
        options.leaseDuration(),
        options.renewDeadline(),
        options.retryPeriod());
    nextRound();
  }

  private synchronized void nextRound() {
    if (!running) {
      return;
    }
    var config =
        new LeaderElectionConfigBuilder()
            .withName("netpol-controller")
            .withLock(lock)
            .withLeaseDuration(options.leaseDuration())
            .withRenewDeadline(options.renewDeadline())
            .withRetryPeriod(options.retryPeriod())
            .withReleaseOnCancel(true)
            .withLeaderCallbacks(
                new LeaderCallbacks(this::startLeading, this::stopLeading, this::newLeader))
            .build();
    round = client.leaderElector().withConfig(config).build().start();
    round.whenComplete(
        (v, t) -> {
          if (running) {
            try {
              rounds.schedule(
                  this::nextRound, options.retryPeriod().toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closed) {
              // closing
            }
          }
        });
  }

  private void startLeading() {
    synchronized (this) {
      if (leading || !running) {
        return;
      }
      leading = true;
      leader = options.identity();
    }
    LOG.info("{} leads: writing PolicyEndpoints", options.identity());
    onStart.run();
  }

  private void stopLeading() {
    synchronized (this) {
      if (!leading) {
        return;
      }
      leading = false;
    }
    LOG.info("{} no longer leads: stopped writing", options.identity());
    onStop.run();
  }

  private void newLeader(String identity) {
    leader = identity == null ? "" : identity;
    if (identity != null && !identity.equals(options.identity())) {
      LOG.info("controller {} leads", identity);
    }
  }

  private boolean servesLeases() {
    try {
      return client.supports(Lease.class);
    } catch (KubernetesClientException e) {
      return true; // cannot tell now: elect, the elector retries until the API answers
    }
  }

  /**
   * Outside a pod, processes on one host share a pid space: a lease held as {@code <this
   * host>_<pid>} by a pid that no longer runs belongs to a dead process, and is released.
   */
  private void releaseLeaseOfDeadLocalHolder() {
    if (System.getenv("KUBERNETES_SERVICE_HOST") != null) {
      return;
    }
    try {
      var lease = client.leases().inNamespace(options.namespace()).withName(options.name());
      Lease l = lease.get();
      String holder = l == null || l.getSpec() == null ? null : l.getSpec().getHolderIdentity();
      if (holder == null || holder.equals(options.identity())) {
        return;
      }
      String me = options.identity();
      String host = me.substring(0, me.lastIndexOf('_'));
      int cut = holder.lastIndexOf('_');
      if (cut < 0 || !holder.substring(0, cut).equals(host)) {
        return;
      }
      long pid = Long.parseLong(holder.substring(cut + 1));
      if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
        return;
      }
      l.getSpec().setHolderIdentity(null);
      lease.lockResourceVersion(l.getMetadata().getResourceVersion()).replace(l);
      LOG.info(
          "lease {}/{} was held by {}, a process of this host that no longer runs: released",
          options.namespace(),
          options.name(),
          holder);
    } catch (NumberFormatException | KubernetesClientException e) {
      LOG.debug("no stale local lease released: {}", e.toString());
    }
  }

  /** Stops competing; releases the lease if held (the caller stops writing first). */
  @Override
  public void close() {
    CompletableFuture<?> r;
    synchronized (this) {
      running = false;
      r = round;
    }
    if (r != null) {
      // Cancelling releases the lease with a write to the API, synchronously. When the API is
      // going away (the standalone stopping) that write can hang; the lease then expires on its
      // own, so the release gets a short grace and never holds up the caller.
      Thread release = new Thread(() -> r.cancel(true), "netpol-lease-release");
      release.setDaemon(true);
      release.start();
      try {
        release.join(RELEASE_GRACE_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (release.isAlive()) {
        LOG.info(
            "lease {}/{} not released within {} ms; it expires in {}",
            options.namespace(),
            options.name(),
            RELEASE_GRACE_MS,
            options.leaseDuration());
      }
    }
    rounds.shutdownNow();
    stopLeading();
  }

  @Override
  public String toString() {
    return "LeaderElection[" + options.identity() + (leading ? ", leading" : "") + "]";
  }
}
