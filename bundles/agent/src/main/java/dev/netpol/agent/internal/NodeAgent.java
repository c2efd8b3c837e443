package dev.netpol.agent.internal;

import dev.netpol.api.EnforcementBackend;
import dev.netpol.api.PodKey;
import dev.netpol.api.model.PodPolicy;
import dev.netpol.api.status.AgentStatus;
import dev.netpol.platform.guice.Managed;
import dev.netpol.platform.guice.ServiceRef;
import dev.netpol.platform.guice.Settings;
import dev.netpol.policyendpoint.NodeLabels;
import dev.netpol.policyendpoint.PodSelectorEndpoint;
import dev.netpol.policyendpoint.PolicyEndpoint;
import dev.netpol.watch.KubeCluster;
import dev.netpol.watch.Selection;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node agent: watches this node's pods (field selector on spec.nodeName) and the
 * PolicyEndpoints labelled for this node, and reconciles each local pod into the active backend.
 */
final class NodeAgent implements Managed, AgentStatus {
  private static final Logger LOG = LoggerFactory.getLogger(NodeAgent.class);
  private final Settings settings;
  private final ServiceRef<KubeCluster> clusters;
  private final ServiceRef<EnforcementBackend> backends;
  private final LatencyHistogram latency = new LatencyHistogram();
  private final WorkQueue<PodKey> queue = new WorkQueue<>();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "netpol-agent-resync");
            t.setDaemon(true);
            return t;
          });
  private volatile Watched watched;
  private volatile EnforcementBackend backend;
  private PodReconciler reconciler;
  private Thread worker;
  private AutoCloseable followCluster;
  private AutoCloseable followBackend;
  private String node;

  /** The informers of one connected cluster, with our handlers on them. */
  private record Watched(
      SharedIndexInformer<Pod> pods,
      SharedIndexInformer<PolicyEndpoint> pes,
      ResourceEventHandler<Pod> podHandler,
      ResourceEventHandler<PolicyEndpoint> peHandler) {
    boolean synced() {
      return pods.hasSynced() && pes.hasSynced();
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
      ServiceRef<EnforcementBackend> backends) {
    this.settings = settings;
    this.clusters = clusters;
    this.backends = backends;
  }

  @Override
  public void start() {
    node = settings.get(AgentSettings.NODE_NAME);
    if (node.isBlank()) {
      node = hostName();
      LOG.info("netpol.node.name is not set; using this host's name {}", node);
    }
    Set<InetAddress> nodeAddresses =
        NodeAddresses.parse(settings.get(AgentSettings.NODE_ADDRESSES));
    AgentSettings.Mode mode = settings.get(AgentSettings.MODE);
    reconciler =
        new PodReconciler(
            new PodReconciler.Caches() {
              @Override
              public Pod pod(PodKey key) {
                Watched w = watched;
                return w == null
                    ? null
                    : w.pods().getStore().getByKey(key.namespace() + "/" + key.name());
              }

              @Override
              public Collection<PolicyEndpoint> policyEndpoints() {
                Watched w = watched;
                return w == null ? List.of() : w.pes().getStore().list();
              }

              @Override
              public boolean synced() {
                Watched w = watched;
                return w != null && w.synced();
              }
            },
            () -> Optional.ofNullable(backend),
            new InterfaceFinder(),
            nodeAddresses,
            mode,
            latency);
    worker = new Thread(this::work, "netpol-agent");
    worker.setDaemon(true);
    worker.start();
    followBackend = backends.follow(x -> selectBackend());
    followCluster = clusters.follow(this::clusterChanged);
    long resync = settings.get(AgentSettings.RESYNC).toMillis();
    timer.scheduleWithFixedDelay(this::markAll, resync, resync, TimeUnit.MILLISECONDS);
    LOG.info(
        "node agent for node {} started (mode {}, backend {}, node addresses {})",
        node,
        mode.name().toLowerCase(),
        settings.get(AgentSettings.BACKEND),
        nodeAddresses);
  }

  private void selectBackend() {
    String wanted = settings.get(AgentSettings.BACKEND);
    EnforcementBackend next =
        backends.all().stream()
            .filter(
                r ->
                    wanted.equals(
                        String.valueOf(r.properties().get(EnforcementBackend.NAME_PROPERTY))))
            .map(ServiceRef.Registered::service)
            .findFirst()
            .orElse(null);
    if (next != backend) {
      backend = next;
      LOG.info(
          "backend {} is {}",
          wanted,
          next == null ? "gone: programming paused, the kernel keeps the last state" : "available");
      markAll();
    }
  }

  private synchronized void clusterChanged(Optional<KubeCluster> cluster) {
    if (watched != null) {
      watched.detach();
      watched = null;
    }
    cluster.ifPresent(
        c -> {
          SharedIndexInformer<Pod> pods =
              c.informer(Pod.class, Selection.field("spec.nodeName", node));
          SharedIndexInformer<PolicyEndpoint> pes =
              c.informer(PolicyEndpoint.class, Selection.labels(NodeLabels.selectorFor(node)));
          ResourceEventHandler<Pod> ph =
              handler(
                  p ->
                      queue.add(
                          new PodKey(p.getMetadata().getNamespace(), p.getMetadata().getName())));
          ResourceEventHandler<PolicyEndpoint> eh = handler(this::markSelected);
          pods.addEventHandler(ph);
          pes.addEventHandler(eh);
          watched = new Watched(pods, pes, ph, eh);
          timer.execute(this::awaitSync);
        });
  }

  private void awaitSync() {
    Watched w = watched;
    while (w != null && !w.synced()) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        return;
      }
      w = watched;
    }
    if (w != null) {
      LOG.info(
          "node {}: {} pods and {} policyendpoints in sync",
          node,
          w.pods().getStore().list().size(),
          w.pes().getStore().list().size());
      markAll();
    }
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

  private void markSelected(PolicyEndpoint pe) {
    if (pe.getSpec() == null) {
      return;
    }
    for (PodSelectorEndpoint e : pe.getSpec().getPodSelectorEndpoints()) {
      if (node.equals(e.getNodeName())) {
        queue.add(new PodKey(e.getNamespace(), e.getName()));
      }
    }
  }

  /** Marks every pod we know of: the cache's and the backend's (so orphans get removed). */
  private void markAll() {
    Watched w = watched;
    if (w != null) {
      for (Pod p : w.pods().getStore().list()) {
        queue.add(new PodKey(p.getMetadata().getNamespace(), p.getMetadata().getName()));
      }
    }
    EnforcementBackend b = backend;
    if (b != null && w != null && w.synced()) {
      try {
        b.programmed().keySet().forEach(queue::add);
      } catch (RuntimeException e) {
        LOG.warn("backend {}: cannot list programmed pods: {}", b.name(), e.getMessage());
      }
    }
  }

  private void work() {
    try {
      PodKey key;
      while ((key = queue.take()) != null) {
        if (!reconciler.reconcile(key)) {
          queue.addAfter(key, 1000);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public synchronized void stop() throws Exception {
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

  @Override
  public String nodeName() {
    return node;
  }

  @Override
  public String backend() {
    EnforcementBackend b = backend;
    return b == null ? "" : b.name();
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
}
