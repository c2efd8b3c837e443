package dev.netpol.agent.internal;

import dev.netpol.api.BackendHealth;
import dev.netpol.api.EnforcementBackend;
import dev.netpol.api.PodKey;
import dev.netpol.api.model.PodPolicy;
import dev.netpol.api.status.AgentControl;
import dev.netpol.api.status.AgentStatus;
import dev.netpol.api.status.BackendSwitch;
import dev.netpol.api.status.PodStatus;
import dev.netpol.platform.guice.Managed;
import dev.netpol.platform.guice.ServiceRef;
import dev.netpol.platform.guice.Settings;
import dev.netpol.policyendpoint.NodeLabels;
import dev.netpol.policyendpoint.PolicyEndpoint;
import dev.netpol.watch.KubeCluster;
import dev.netpol.watch.Selection;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node agent: watches this node's pods (field selector on spec.nodeName) and the
 * PolicyEndpoints labelled for this node, reconciles each local pod into the active backend, and
 * switches backends with a hand-over. One worker thread does all backend work.
 */
final class NodeAgent implements Managed, AgentStatus, AgentControl {
  private static final Logger LOG = LoggerFactory.getLogger(NodeAgent.class);

  /** How long an unregistering backend's bundle stop waits for the hand-over. */
  static final Duration UNREGISTER_WAIT = Duration.ofMinutes(2);

  /** At start, how long to wait for the wanted backend before taking any other registered one. */
  static final Duration FALLBACK_GRACE = Duration.ofSeconds(10);

  private final Settings settings;
  private final ServiceRef<KubeCluster> clusters;
  private final ServiceRef<EnforcementBackend> backends;
  private final BundleContext context;
  private final Clock clock = Clock.systemUTC();
  private final LatencyHistogram latency = new LatencyHistogram();
  private final WorkQueue<PodKey> queue = new WorkQueue<>();
  private final AtomicBoolean ensureQueued = new AtomicBoolean();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "netpol-agent-resync");
            t.setDaemon(true);
            return t;
          });
  private volatile Watched watched;
  private PodReconciler reconciler;
  private BackendSwitcher switcher;
  private ProgrammedConditions conditions;
  private Thread worker;
  private AutoCloseable followCluster;
  private AutoCloseable followBackend;
  private ServiceListener unregistering;
  private String node;

  /** The informers of one connected cluster, our handlers on them, and the policy index. */
  private static final class Watched {
    final KubeCluster cluster;
    final SharedIndexInformer<LocalPod> pods;
    final SharedIndexInformer<PolicyEndpoint> pes;
    final PolicyIndex index;
    ResourceEventHandler<LocalPod> podHandler;
    ResourceEventHandler<PolicyEndpoint> peHandler;
    volatile boolean caughtUp;

    Watched(
        KubeCluster cluster,
        SharedIndexInformer<LocalPod> pods,
        SharedIndexInformer<PolicyEndpoint> pes,
        PolicyIndex index) {
      this.cluster = cluster;
      this.pods = pods;
      this.pes = pes;
      this.index = index;
    }

    boolean informersSynced() {
      return pods.hasSynced() && pes.hasSynced();
    }

    /** The informers synced and our handler has seen every PolicyEndpoint they hold. */
    boolean synced() {
      return caughtUp && informersSynced();
    }

    void detach() {
      pods.removeEventHandler(podHandler);
      pes.removeEventHandler(peHandler);
    }
  }

  @Inject
  NodeAgent(
      Settings settings,
      ServiceRef<KubeCluster> clusters,
      ServiceRef<EnforcementBackend> backends,
      BundleContext context) {
    this.settings = settings;
    this.clusters = clusters;
    this.backends = backends;
    this.context = context;
  }

  @Override
  public void start() throws InvalidSyntaxException {
    node = settings.get(AgentSettings.NODE_NAME);
    if (node.isBlank()) {
      node = hostName();
      LOG.info("netpol.node.name is not set; using this host's name {}", node);
    }
    Set<InetAddress> nodeAddresses =
        NodeAddresses.parse(settings.get(AgentSettings.NODE_ADDRESSES));
    AgentSettings.Mode mode = settings.get(AgentSettings.MODE);
    PolicyIndex empty = new PolicyIndex(node);
    conditions =
        new ProgrammedConditions(
            node, this::currentCluster, () -> index(empty), k -> reconciler.status(k), clock);
    reconciler =
        new PodReconciler(
            new PodReconciler.Caches() {
              @Override
              public LocalPod pod(PodKey key) {
                Watched w = watched;
                return w == null ? null : w.pods.getStore().getByKey(key.toString());
              }

              @Override
              public boolean synced() {
                return NodeAgent.this.synced();
              }
            },
            () -> index(empty),
            new InterfaceFinder()::find,
            nodeAddresses,
            mode,
            latency,
            clock,
            () -> conditions.changed(reconciler.capacityFailures()));
    String dataDir = context.getProperty("netpol.data.dir");
    BackendRecords records =
        new BackendRecords(dataDir == null ? null : Path.of(dataDir, "agent", "backends"));
    switcher =
        new BackendSwitcher(
            new BackendSwitcher.Env() {
              @Override
              public List<ServiceRef.Registered<EnforcementBackend>> registered() {
                return backends.all();
              }

              @Override
              public boolean synced() {
                return NodeAgent.this.synced();
              }

              @Override
              public Collection<PodKey> localPods() {
                return cachedPods();
              }

              @Override
              public void markAll() {
                NodeAgent.this.markAll();
              }
            },
            reconciler,
            records,
            new CommandReleaser(context.getProperty("netpol.home")),
            clock,
            settings.get(AgentSettings.BACKEND),
            FALLBACK_GRACE);
    worker = new Thread(this::work, "netpol-agent");
    worker.setDaemon(true);
    worker.start();
    unregistering = this::serviceChanged;
    context.addServiceListener(
        unregistering, "(objectClass=" + EnforcementBackend.class.getName() + ")");
    followBackend = backends.follow(x -> scheduleEnsure());
    settings.onChange(
        () ->
            queue.submit(
                () -> {
                  switcher.settingChanged(settings.get(AgentSettings.BACKEND));
                  return null;
                }));
    followCluster = clusters.follow(this::clusterChanged);
    long resync = settings.get(AgentSettings.RESYNC).toMillis();
    timer.scheduleWithFixedDelay(this::resync, resync, resync, TimeUnit.MILLISECONDS);
    timer.schedule(this::scheduleEnsure, FALLBACK_GRACE.toMillis() + 100, TimeUnit.MILLISECONDS);
    conditions.start();
    LOG.info(
        "node agent for node {} started (mode {}, backend {}, node addresses {})",
        node,
        mode.name().toLowerCase(),
        settings.get(AgentSettings.BACKEND),
        nodeAddresses);
  }

  private PolicyIndex index(PolicyIndex empty) {
    Watched w = watched;
    return w == null ? empty : w.index;
  }

  private Optional<KubeCluster> currentCluster() {
    Watched w = watched;
    return w == null ? Optional.empty() : Optional.of(w.cluster);
  }

  /**
   * The active backend's bundle is stopping: hand over (or pause) now, while it is still usable, so
   * that its bundle does not close it under a running apply. Runs in the thread stopping it.
   */
  private void serviceChanged(ServiceEvent event) {
    if (event.getType() != ServiceEvent.UNREGISTERING) {
      return;
    }
    Object id = event.getServiceReference().getProperty("service.id");
    BackendSwitcher s = switcher;
    if (s == null || !s.isActive(id)) {
      return;
    }
    if (context.getBundle(0).getState() == org.osgi.framework.Bundle.STOPPING
        || context.getBundle().getState() == org.osgi.framework.Bundle.STOPPING) {
      return; // the node shuts down: every backend's state stays enforcing, nothing is handed over
    }
    LOG.info(
        "backend {} is stopping: handing over (or pausing) while it is still usable",
        s.activeName());
    try {
      queue
          .submit(
              () -> {
                s.unregistering(id);
                return null;
              })
          .get(UNREGISTER_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.error(
          "backend {} is stopping and the hand-over did not finish: {}",
          s.activeName(),
          e.toString());
    }
  }

  private void scheduleEnsure() {
    if (ensureQueued.compareAndSet(false, true)) {
      queue.submit(
          () -> {
            ensureQueued.set(false);
            switcher.ensure();
            return null;
          });
    }
  }

  /** Periodic repair: the backend's list of programmed pods, then every pod. */
  private void resync() {
    queue.submit(
        () -> {
          switcher.ensure();
          EnforcementBackend b = switcher.active();
          if (b != null && synced()) {
            try {
              BackendHealth h = b.health();
              if (!h.healthy()) {
                LOG.warn("backend {} reports {}; every pod is applied again", b.name(), h.detail());
                reconciler.forgetApplied();
              }
              reconciler.adopt(b);
            } catch (RuntimeException e) {
              LOG.warn("backend {}: cannot list programmed pods: {}", b.name(), e.getMessage());
            }
          }
          markAll();
          return null;
        });
  }

  private synchronized void clusterChanged(Optional<KubeCluster> cluster) {
    Watched old = watched;
    if (old != null) {
      old.detach();
      watched = null;
    }
    cluster.ifPresent(
        c -> {
          SharedIndexInformer<LocalPod> pods =
              c.informer(LocalPod.class, Selection.field("spec.nodeName", node));
          SharedIndexInformer<PolicyEndpoint> pes =
              c.informer(PolicyEndpoint.class, Selection.labels(NodeLabels.selectorFor(node)));
          Watched w = new Watched(c, pods, pes, new PolicyIndex(node));
          w.podHandler =
              handler(
                  p ->
                      queue.add(
                          new PodKey(p.getMetadata().getNamespace(), p.getMetadata().getName())));
          w.peHandler = policyEndpointHandler(w);
          watched = w;
          pods.addEventHandler(w.podHandler);
          pes.addEventHandler(w.peHandler);
          timer.execute(() -> awaitSync(w));
        });
  }

  private ResourceEventHandler<PolicyEndpoint> policyEndpointHandler(Watched w) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(PolicyEndpoint pe) {
        mark(w, w.index.put(pe));
      }

      @Override
      public void onUpdate(PolicyEndpoint before, PolicyEndpoint after) {
        mark(w, w.index.replace(before, after));
      }

      @Override
      public void onDelete(PolicyEndpoint pe, boolean deletedFinalStateUnknown) {
        mark(w, w.index.remove(pe));
      }
    };
  }

  private void mark(Watched w, PolicyIndex.Changes c) {
    if (c.isEmpty() || watched != w) {
      return;
    }
    c.pods().forEach(queue::add);
    if (!c.namespaces().isEmpty()) {
      for (LocalPod p : w.pods.getStore().list()) {
        if (c.namespaces().contains(p.getMetadata().getNamespace())) {
          queue.add(new PodKey(p.getMetadata().getNamespace(), p.getMetadata().getName()));
        }
      }
    }
  }

  /**
   * Waits until both informers have synced and the PolicyEndpoint handler has caught up with what
   * they hold (handlers are told asynchronously), then programs.
   */
  private void awaitSync(Watched w) {
    while (watched == w && !(w.informersSynced() && caughtUp(w))) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        return;
      }
    }
    if (watched == w) {
      w.caughtUp = true;
      LOG.info(
          "node {}: {} pods and {} policyendpoints in sync",
          node,
          w.pods.getStore().list().size(),
          w.pes.getStore().list().size());
      scheduleEnsure();
      markAll();
    }
  }

  private static boolean caughtUp(Watched w) {
    Map<String, String> store = new HashMap<>();
    for (PolicyEndpoint pe : w.pes.getStore().list()) {
      if (PolicySet.PolicyId.of(pe) != null) {
        store.put(
            pe.getMetadata().getNamespace() + "/" + pe.getMetadata().getName(),
            String.valueOf(pe.getMetadata().getResourceVersion()));
      }
    }
    return store.equals(w.index.heldVersions());
  }

  private static <T> ResourceEventHandler<T> handler(java.util.function.Consumer<T> mark) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        mark.accept(obj);
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        mark.accept(oldObj);
        mark.accept(newObj);
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        mark.accept(obj);
      }
    };
  }

  private List<PodKey> cachedPods() {
    Watched w = watched;
    if (w == null) {
      return List.of();
    }
    List<PodKey> out = new ArrayList<>();
    for (LocalPod p : w.pods.getStore().list()) {
      out.add(new PodKey(p.getMetadata().getNamespace(), p.getMetadata().getName()));
    }
    return out;
  }

  /** Marks every pod we know of: the cache's and the active backend's (so orphans get removed). */
  private void markAll() {
    Set<PodKey> keys = new LinkedHashSet<>(cachedPods());
    keys.addAll(reconciler.programmed().keySet());
    keys.forEach(queue::add);
  }

  private void work() {
    try {
      WorkQueue.Item<PodKey> item;
      while ((item = queue.take()) != null) {
        if (item.task() != null) {
          item.task().run();
        } else {
          for (PodKey retry : reconciler.reconcileAll(item.keys(), switcher.active())) {
            queue.addAfter(retry, 1000);
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.error("agent worker stopped by an unexpected error: {}", e.toString(), e);
    }
  }

  @Override
  public synchronized void stop() throws Exception {
    if (unregistering != null) {
      try {
        context.removeServiceListener(unregistering);
      } catch (IllegalStateException ignored) {
        // the bundle is stopping
      }
    }
    if (followCluster != null) {
      followCluster.close();
    }
    if (followBackend != null) {
      followBackend.close();
    }
    if (watched != null) {
      watched.detach();
      watched = null;
    }
    if (conditions != null) {
      conditions.stop();
    }
    queue.close();
    timer.shutdownNow();
    if (worker != null) {
      worker.interrupt();
      worker.join(5000);
    }
    LOG.info(
        "node agent for node {} stopped; the kernel keeps enforcing the last programmed state",
        node);
  }

  /** The node name when none is configured: $NODE_NAME (downward API), else the host name. */
  static String hostName() {
    String env = System.getenv("NODE_NAME");
    if (env != null && !env.isBlank()) {
      return env;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "localhost";
    }
  }

  // ---- AgentControl

  @Override
  public BackendSwitch switchBackend(String backend) {
    Objects.requireNonNull(backend, "backend");
    Instant now = clock.instant();
    try {
      return queue.submit(() -> switcher.switchTo(backend)).get(30, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new BackendSwitch(
          backend(), backend, "failed", 0, now, clock.instant(), "interrupted");
    } catch (Exception e) {
      Throwable c = e.getCause() == null ? e : e.getCause();
      return new BackendSwitch(
          backend(), backend, "failed", 0, now, clock.instant(), String.valueOf(c.getMessage()));
    }
  }

  // ---- AgentStatus

  @Override
  public String nodeName() {
    return node;
  }

  @Override
  public String backend() {
    BackendSwitcher s = switcher;
    return s == null ? "" : s.activeName();
  }

  @Override
  public List<String> backendsAvailable() {
    BackendSwitcher s = switcher;
    return s == null ? List.of() : s.available();
  }

  @Override
  public boolean synced() {
    Watched w = watched;
    return w != null && w.synced();
  }

  @Override
  public Map<PodKey, String> programmed() {
    return reconciler == null ? Map.of() : reconciler.programmed();
  }

  @Override
  public List<PodStatus> pods() {
    return reconciler == null ? List.of() : reconciler.statuses();
  }

  @Override
  public SortedMap<Double, Long> latencyHistogram() {
    return latency.snapshot();
  }

  @Override
  public double latencySumSeconds() {
    return latency.sum();
  }

  @Override
  public Optional<PodPolicy> programmedPolicy(PodKey pod) {
    return reconciler == null ? Optional.empty() : reconciler.programmedPolicy(pod);
  }

  @Override
  public long reconcileErrors() {
    return reconciler == null ? 0 : reconciler.errors();
  }

  @Override
  public int policyEndpointsHeld() {
    Watched w = watched;
    return w == null ? 0 : w.index.heldCount();
  }

  @Override
  public long backendSwitches() {
    BackendSwitcher s = switcher;
    return s == null ? 0 : s.switches();
  }

  @Override
  public Optional<BackendSwitch> lastSwitch() {
    BackendSwitcher s = switcher;
    return s == null ? Optional.empty() : s.lastSwitch();
  }

  /** The switcher, for the control channel's report. */
  BackendSwitcher switcher() {
    return switcher;
  }
}
