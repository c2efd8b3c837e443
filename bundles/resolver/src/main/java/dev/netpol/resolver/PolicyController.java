package dev.netpol.resolver;

import dev.netpol.policyendpoint.Chunk;
import dev.netpol.policyendpoint.PolicyEndpoint;
import dev.netpol.policyendpoint.PolicyRef;
import dev.netpol.resolver.internal.AffectedPolicies;
import dev.netpol.resolver.internal.DirtyQueue;
import dev.netpol.resolver.internal.InformerClusterState;
import dev.netpol.resolver.internal.PolicyEndpointWriter;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policy controller: a level-triggered loop that keeps, for every NetworkPolicy, its
 * PolicyEndpoints equal to what {@link PolicyResolver} and {@link PolicyEndpointPlanner} make of
 * the current cluster state.
 *
 * <p>Informer events mark policy keys dirty (a pod, namespace or service change only marks the
 * policies it can affect); one worker thread takes keys from a coalescing queue and reconciles them
 * once all informers have synced. Failed writes are retried after {@code retryDelay}; every policy
 * is also reconciled every {@code resyncPeriod}. Invalid policies keep their last good
 * PolicyEndpoints and get {@code Resolved=False}.
 */
public final class PolicyController implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PolicyController.class);
  static final String INVALID_GENERATION = "invalid";

  private final InformerSource informers;
  private final ControllerOptions options;
  private final PolicyResolver resolver = new PolicyResolver();
  private final PolicyEndpointPlanner planner;
  private final PolicyEndpointWriter writer;
  private final ClusterState state;
  private final AffectedPolicies affected;
  private final DirtyQueue<PolicyKey> queue = new DirtyQueue<>();
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "netpol-controller-timer"));
  private final Thread worker = daemon(this::work, "netpol-controller");
  private volatile boolean running;
  private volatile long reconciles;

  /** Last error logged per policy, so a bad policy logs once per distinct error, not per event. */
  private final java.util.Map<PolicyKey, String> lastError =
      new java.util.concurrent.ConcurrentHashMap<>();

  public PolicyController(
      KubernetesClient client, InformerSource informers, ControllerOptions options) {
    this.informers = informers;
    this.options = options;
    this.planner = new PolicyEndpointPlanner(options.chunkSize());
    this.writer = new PolicyEndpointWriter(client);
    this.state = new InformerClusterState(informers);
    this.affected = new AffectedPolicies(state);
  }

  /** Registers the event handlers and starts the worker and the periodic resync. */
  public synchronized PolicyController start() {
    if (running) {
      return this;
    }
    running = true;
    informers
        .networkPolicies()
        .addEventHandler(handler((o, n) -> List.of(PolicyKey.of(n != null ? n : o))));
    informers.pods().addEventHandler(handler((o, n) -> affected.byPod(policies(), o, n)));
    informers
        .namespaces()
        .addEventHandler(handler((o, n) -> affected.byNamespace(policies(), o, n)));
    informers.services().addEventHandler(handler((o, n) -> affected.byService(policies(), o, n)));
    informers
        .policyEndpoints()
        .addEventHandler(
            handler(
                (o, n) -> {
                  PolicyRef ref =
                      (n != null ? n : o).getSpec() == null
                          ? null
                          : (n != null ? n : o).getSpec().getPolicyRef();
                  return ref == null
                      ? List.of()
                      : List.of(new PolicyKey(ref.getNamespace(), ref.getName()));
                }));
    long period = options.resyncPeriod().toMillis();
    scheduler.scheduleAtFixedRate(this::resyncAll, period, period, TimeUnit.MILLISECONDS);
    worker.start();
    LOG.info(
        "policy controller started: chunk size {}, resync every {}",
        options.chunkSize(),
        options.resyncPeriod());
    return this;
  }

  /** Marks every policy (and every PolicyEndpoint's policy, to clean up orphans) dirty. */
  public void resyncAll() {
    Instant now = options.clock().instant();
    policies().forEach(np -> queue.mark(PolicyKey.of(np), now));
    for (PolicyEndpoint pe : informers.policyEndpoints().getStore().list()) {
      PolicyRef ref = pe.getSpec() == null ? null : pe.getSpec().getPolicyRef();
      if (ref != null) {
        queue.mark(new PolicyKey(ref.getNamespace(), ref.getName()), now);
      }
    }
  }

  /** True when no key is queued or being reconciled. */
  public boolean idle() {
    return queue.idle();
  }

  public long reconciles() {
    return reconciles;
  }

  /** PolicyEndpoint writes (create, update, delete, status) since start. */
  public long writes() {
    return writer.writes();
  }

  @Override
  public synchronized void close() {
    running = false;
    queue.close();
    scheduler.shutdownNow();
    worker.interrupt();
  }

  private Collection<NetworkPolicy> policies() {
    return informers.networkPolicies().getStore().list();
  }

  private <T extends HasMetadata> ResourceEventHandler<T> handler(
      BiFunction<T, T, List<PolicyKey>> keys) {
    Consumer<List<PolicyKey>> mark =
        l -> {
          Instant now = options.clock().instant();
          l.forEach(k -> queue.mark(k, now));
        };
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        safely(() -> mark.accept(keys.apply(null, obj)));
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        if (Objects.equals(
            oldObj.getMetadata().getResourceVersion(), newObj.getMetadata().getResourceVersion())) {
          return; // informer resync: nothing changed
        }
        safely(() -> mark.accept(keys.apply(oldObj, newObj)));
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        safely(() -> mark.accept(keys.apply(obj, null)));
      }
    };
  }

  private static void safely(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      LOG.error("event handling failed; the next resync repairs it", e);
    }
  }

  private void work() {
    try {
      while (running && !informers.allSynced()) {
        Thread.sleep(20);
      }
      while (running) {
        DirtyQueue.Item<PolicyKey> item = queue.take();
        if (item == null) {
          return;
        }
        try {
          reconcile(item.key(), item.firstSeen());
        } catch (RuntimeException e) {
          LOG.warn(
              "netpol {}: reconcile failed, retrying in {}: {}",
              item.key(),
              options.retryDelay(),
              e.toString());
          scheduler.schedule(
              () -> queue.mark(item.key(), item.firstSeen()),
              options.retryDelay().toMillis(),
              TimeUnit.MILLISECONDS);
        } finally {
          reconciles++;
          queue.done(item.key());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Brings the PolicyEndpoints of one policy to the desired state. */
  void reconcile(PolicyKey key, Instant changeSeen) {
    NetworkPolicy np =
        informers.networkPolicies().getStore().getByKey(key.namespace() + "/" + key.name());
    List<PolicyEndpoint> existing =
        InformerClusterState.inNamespace(informers.policyEndpoints(), key.namespace()).stream()
            .filter(
                pe ->
                    pe.getSpec() != null
                        && pe.getSpec().getPolicyRef() != null
                        && key.name().equals(pe.getSpec().getPolicyRef().getName()))
            .toList();
    if (np == null) {
      affected.forget(key);
      lastError.remove(key);
      if (!existing.isEmpty()) {
        writer.apply(new PlannedChanges(List.of(), List.of(), existing, List.of()), changeSeen);
        LOG.info("netpol {}: deleted, removed {} PolicyEndpoints", key, existing.size());
      }
      return;
    }
    Instant now = options.clock().instant();
    Resolution r = resolver.resolve(state, np);
    if (r instanceof ResolvedPolicy ok) {
      if (lastError.remove(key) != null) {
        LOG.info("netpol {}: resolves again", key);
      }
      PlannedChanges changes = planner.diff(planner.plan(ok), existing);
      List<PolicyEndpoint> stored = writer.apply(changes, changeSeen);
      writer.setResolved(stored, true, "Resolved", "policy resolved", now);
      if (!changes.isEmpty()) {
        LOG.info(
            "netpol {}: {} selected pods, {} ingress, {} egress entries: {}",
            key,
            ok.selectedPods().size(),
            ok.ingress().size(),
            ok.egress().size(),
            changes);
      }
      return;
    }
    ResolutionError error = (ResolutionError) r;
    if (!error.toString().equals(lastError.put(key, error.toString()))) {
      LOG.warn("{}", error);
    }
    List<PolicyEndpoint> stored = existing;
    if (existing.isEmpty()) {
      stored =
          writer.apply(
              new PlannedChanges(List.of(placeholder(np)), List.of(), List.of(), List.of()),
              changeSeen);
    }
    writer.setResolved(stored, false, "InvalidPolicy", error.toString(), now);
  }

  /** Carries the Resolved=False condition of a policy that never resolved; selects no pods. */
  private static PolicyEndpoint placeholder(NetworkPolicy np) {
    String ns = np.getMetadata().getNamespace();
    String name = np.getMetadata().getName();
    String uid = np.getMetadata().getUid();
    PolicyEndpoint pe = new PolicyEndpoint();
    pe.getMetadata().setNamespace(ns);
    pe.getMetadata().setName(PolicyEndpointPlanner.chunkName(name, 0));
    if (uid != null) {
      pe.getMetadata().setOwnerReferences(List.of(PolicyEndpointPlanner.ownerReference(name, uid)));
    }
    pe.getSpec().setPolicyRef(new PolicyRef(ns, name, uid));
    pe.getSpec().setChunk(new Chunk(0, 1, INVALID_GENERATION));
    pe.setStatus(null);
    return pe;
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
