package dev.netpol.serviceproxy.internal;

import dev.netpol.netfilter.Chain;
import dev.netpol.netfilter.Family;
import dev.netpol.netfilter.Netfilter;
import dev.netpol.netfilter.Table;
import dev.netpol.netfilter.process.Processes;
import dev.netpol.platform.guice.Managed;
import dev.netpol.platform.guice.ServiceRef;
import dev.netpol.platform.guice.Settings;
import dev.netpol.watch.KubeCluster;
import dev.netpol.watch.Selection;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kube-proxy's iptables mode for netpol: follows the {@link KubeCluster}, watches Services and
 * EndpointSlices, and rewrites its own nat chains through the netfilter facade (one restore per
 * family, atomic) after every burst of changes and every resync interval. Stopping removes the
 * hooks and every chain.
 */
public final class ServiceProxy implements Managed {
  private static final Logger LOG = LoggerFactory.getLogger(ServiceProxy.class);
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
  private final ServiceRef<KubeCluster> clusters;
  private final Settings settings;
  private final Object lock = new Object();
  private ScheduledExecutorService executor;
  private final java.util.concurrent.atomic.AtomicBoolean syncScheduled =
      new java.util.concurrent.atomic.AtomicBoolean();
  private ScheduledFuture<?> resync;
  private AutoCloseable following;
  private KubeCluster cluster;
  private final List<Runnable> detach = new ArrayList<>();
  private Netfilter nf;
  private NatRules rules;
  private Set<Family> families;
  private volatile int syncs;

  @Inject
  public ServiceProxy(ServiceRef<KubeCluster> clusters, Settings settings) {
    this.clusters = clusters;
    this.settings = settings;
  }

  @Override
  public void start() {
    if (!settings.get(ProxySettings.ENABLED)) {
      LOG.info("service proxy disabled (netpol.serviceproxy.enabled=false)");
      return;
    }
    rules =
        new NatRules(
            settings.get(ProxySettings.CHAIN_PREFIX), settings.get(ProxySettings.MASQUERADE_MARK));
    nf = new Netfilter(rules.prefix, COMMAND_TIMEOUT);
    String version;
    try {
      version = Processes.check(List.of("iptables", "-V"), null, COMMAND_TIMEOUT).strip();
    } catch (RuntimeException e) {
      // a node without iptables can still enforce policies; it just has no ClusterIPs
      LOG.warn("service proxy off: {}", e.getMessage());
      return;
    }
    families =
        settings.get(ProxySettings.IPV6) ? EnumSet.allOf(Family.class) : EnumSet.of(Family.V4);
    executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "netpol-serviceproxy");
              t.setDaemon(true);
              return t;
            });
    long every = settings.get(ProxySettings.RESYNC_INTERVAL).toMillis();
    resync =
        executor.scheduleWithFixedDelay(this::requestSync, every, every, TimeUnit.MILLISECONDS);
    // switch clusters on the proxy's own thread, in order with the syncs
    following =
        clusters.follow(
            c -> {
              try {
                executor.execute(this::refreshCluster);
              } catch (java.util.concurrent.RejectedExecutionException stopping) {
                // the proxy is stopping; nothing to follow any more
              }
            });
    LOG.info(
        "service proxy started: nat chains {}-*, {}, families {}", rules.prefix, version, families);
  }

  /** Switches to the current KubeCluster service when it changed; runs on the proxy's thread. */
  private void refreshCluster() {
    KubeCluster next = clusters.current().orElse(null);
    if (next == cluster) {
      return;
    }
    detach.forEach(Runnable::run);
    detach.clear();
    cluster = next;
    if (cluster == null) {
      LOG.info("service proxy: no Kubernetes API; keeping the last programmed services");
      return;
    }
    watch(cluster.informer(Service.class, Selection.ALL));
    watch(cluster.informer(EndpointSlice.class, Selection.ALL));
    requestSync();
  }

  private <T> void watch(SharedIndexInformer<T> informer) {
    ResourceEventHandler<T> h =
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(T obj) {
            requestSync();
          }

          @Override
          public void onUpdate(T oldObj, T newObj) {
            requestSync();
          }

          @Override
          public void onDelete(T obj, boolean deletedFinalStateUnknown) {
            requestSync();
          }
        };
    informer.addEventHandler(h);
    detach.add(() -> informer.removeEventHandler(h));
  }

  /**
   * Coalesces bursts of events into one rewrite after the sync delay. The flag is cleared when a
   * sync starts, so an event that arrives during a sync schedules the next one (never lost).
   */
  void requestSync() {
    synchronized (lock) {
      if (executor == null || executor.isShutdown() || !syncScheduled.compareAndSet(false, true)) {
        return;
      }
      executor.schedule(
          this::sync, settings.get(ProxySettings.SYNC_DELAY).toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void sync() {
    syncScheduled.set(false);
    KubeCluster c = cluster;
    if (c == null) {
      return;
    }
    SharedIndexInformer<Service> services = c.informer(Service.class, Selection.ALL);
    SharedIndexInformer<EndpointSlice> slices = c.informer(EndpointSlice.class, Selection.ALL);
    if (!services.hasSynced() || !slices.hasSynced()) {
      executor.schedule(
          this::requestSync, 100, TimeUnit.MILLISECONDS); // never program a partial view
      return;
    }
    long t0 = System.nanoTime();
    List<ServicePortEntry> entries =
        ServiceTable.build(services.getStore().list(), slices.getStore().list());
    try {
      for (Family f : families) {
        // one read (our chains and hooks now), one restore: every chain of ours whole, the
        // ones no longer wanted deleted, a missing hook inserted, in one commit
        Netfilter.Saved saved = nf.save(f, Table.NAT);
        List<Chain> chains = rules.chains(f, entries);
        Set<String> stale = new HashSet<>(saved.chains().keySet());
        chains.forEach(chain -> stale.remove(chain.name()));
        nf.apply(
            new Netfilter.Ruleset(
                Table.NAT, f, chains, stale, saved.missing(rules.hooks()), List.of()));
      }
      syncs++;
      long withEndpoints = entries.stream().filter(e -> !e.backends().isEmpty()).count();
      LOG.info(
          "service proxy synced {} service ports ({} with endpoints) in {} ms",
          entries.size(),
          withEndpoints,
          (System.nanoTime() - t0) / 1_000_000);
    } catch (RuntimeException e) {
      LOG.warn("service proxy sync failed, retrying in 1s: {}", e.getMessage());
      executor.schedule(this::requestSync, 1, TimeUnit.SECONDS);
    }
  }

  /** How many syncs succeeded; for tests and status. */
  public int syncCount() {
    return syncs;
  }

  @Override
  public void stop() throws Exception {
    if (executor == null) {
      return;
    }
    if (following != null) {
      following.close();
    }
    synchronized (lock) {
      resync.cancel(false);
      executor.shutdown();
    }
    executor.awaitTermination(10, TimeUnit.SECONDS);
    detach.forEach(Runnable::run);
    detach.clear();
    for (Family f : families) {
      try {
        nf.removeAll(f, Table.NAT); // our hooks and every chain of ours, in one restore
      } catch (RuntimeException e) {
        LOG.warn(
            "service proxy: could not remove the {} nat chains {}-*: {}",
            f.tool(),
            rules.prefix,
            e.getMessage());
      }
    }
    LOG.info("service proxy stopped; nat chains {}-* removed", rules.prefix);
  }
}
