package dev.netpol.resolver;

import dev.netpol.api.model.ModelException;
import dev.netpol.policyendpoint.Chunk;
import dev.netpol.policyendpoint.ChunkSet;
import dev.netpol.policyendpoint.PolicyEndpoint;
import dev.netpol.policyendpoint.PolicyRef;
import dev.netpol.resolver.internal.AffectedPolicies;
import dev.netpol.resolver.internal.ClusterIndex;
import dev.netpol.resolver.internal.DirtyQueue;
import dev.netpol.resolver.internal.LatencyRecorder;
import dev.netpol.resolver.internal.ParsedPolicy;
import dev.netpol.resolver.internal.PodInfo;
import dev.netpol.resolver.internal.PolicyEndpointCache;
import dev.netpol.resolver.internal.PolicyEndpointWriter;
import dev.netpol.resolver.internal.PolicyParser;
import dev.netpol.resolver.internal.ResolutionEngine;
import dev.netpol.resolver.internal.ServiceInfo;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policy controller: a level-triggered loop that keeps, for every NetworkPolicy, its
 * PolicyEndpoints equal to what resolution and {@link PolicyEndpointPlanner} make of the current
 * cluster state.
 *
 * <p>Informer events update an index of the cluster ({@link ClusterIndex}) and mark the policy keys
 * they can affect ({@link AffectedPolicies}); worker threads take keys from a coalescing queue
 * (never the same key twice at once) and reconcile them once all informers have synced. Failed
 * writes are retried after {@code retryDelay}; every policy is also reconciled every {@code
 * resyncPeriod}. Invalid policies keep their last good PolicyEndpoints and get {@code
 * Resolved=False}.
 *
 * <p>Its event handlers are added to the (shared) informers by {@link #start()} and removed by
 * {@link #close()}: a closed controller leaves nothing attached to them.
 */
public final class PolicyController implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PolicyController.class);
  static final String INVALID_GENERATION = "invalid";

  private final InformerSource informers;
  private final ControllerOptions options;
  private final PolicyEndpointPlanner planner;
  private final PolicyEndpointCache endpoints =
      new PolicyEndpointCache(k -> this.queue.mark(k, Instant.now()));
  private final PolicyEndpointWriter writer;
  private final ClusterIndex index = new ClusterIndex();
  private final AffectedPolicies affected = new AffectedPolicies(index);
  private final DirtyQueue<PolicyKey> queue = new DirtyQueue<>();
  private final LatencyRecorder latency = new LatencyRecorder();
  private final LatencyRecorder settled = new LatencyRecorder();
  private final LatencyRecorder planned = new LatencyRecorder();
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "netpol-controller-timer"));
  private final List<Thread> workers = new ArrayList<>();
  private final List<Runnable> detach = new ArrayList<>();
  private final AtomicLong reconciles = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private volatile boolean running;
  private volatile boolean ready;
  private final Object readiness = new Object();

  /** Last error logged per policy, so a bad policy logs once per distinct error, not per event. */
  private final Map<PolicyKey, String> lastError = new ConcurrentHashMap<>();

  public PolicyController(
      KubernetesClient client, InformerSource informers, ControllerOptions options) {
    this.informers = informers;
    this.options = options;
    this.planner = new PolicyEndpointPlanner(options.chunkSize(), options.perNodeAbove());
    this.writer = new PolicyEndpointWriter(client, endpoints);
  }

  /** Adds the event handlers and starts the workers and the periodic resync. */
  public synchronized PolicyController start() {
    if (running) {
      return this;
    }
    running = true;
    attach(informers.networkPolicies(), this::policyEvent);
    attach(informers.pods(), this::podEvent);
    attach(informers.namespaces(), this::namespaceEvent);
    attach(informers.services(), this::serviceEvent);
    attach(informers.policyEndpoints(), this::endpointEvent);
    long period = options.resyncPeriod().toMillis();
    scheduler.scheduleAtFixedRate(this::resyncAll, period, period, TimeUnit.MILLISECONDS);
    for (int i = 0; i < options.workers(); i++) {
      Thread t = daemon(this::work, "netpol-controller-" + i);
      workers.add(t);
      t.start();
    }
    LOG.info(
        "policy controller started: chunk size {}, {} workers, resync every {}",
        options.chunkSize(),
        options.workers(),
        options.resyncPeriod());
    return this;
  }

  /** Marks every policy (and every PolicyEndpoint's policy, to clean up orphans) dirty. */
  public void resyncAll() {
    Instant now = options.clock().instant();
    for (NetworkPolicy np : informers.networkPolicies().getStore().list()) {
      queue.mark(PolicyKey.of(np), now);
    }
    endpoints.policies().forEach(k -> queue.mark(k, now));
  }

  /** True once the caches are synced and indexed, and no key is queued or being reconciled. */
  public boolean idle() {
    return ready && queue.idle();
  }

  public long reconciles() {
    return reconciles.get();
  }

  /** PolicyEndpoint writes (create, update, delete, status) since start. */
  public long writes() {
    return writer.writes();
  }

  /** Write conflicts met (each resolved by reading the object and writing again, or not at all). */
  public long conflicts() {
    return writer.conflicts();
  }

  /** Reconciles that failed (retried later) and distinct resolution errors, since start. */
  public long errors() {
    return errors.get();
  }

  /**
   * From the first event of a change to the last PolicyEndpoint write (create, update, delete) of
   * the reconcile that carried it returning: what agents wait for.
   */
  public LatencyRecorder latency() {
    return latency;
  }

  /**
   * From the first event of a change to its writes being sent (queueing, resolution, planning): the
   * controller's own share of {@link #latency()}, the rest is the API's.
   */
  public LatencyRecorder planned() {
    return planned;
  }

  /** As {@link #latency()}, up to the status (Resolved condition, counts) written as well. */
  public LatencyRecorder settled() {
    return settled;
  }

  @Override
  public void close() {
    List<Thread> stopping;
    synchronized (this) {
      if (!running) {
        return;
      }
      running = false;
      detach.forEach(Runnable::run);
      detach.clear();
      queue.close();
      scheduler.shutdownNow();
      stopping = new ArrayList<>(workers);
      workers.clear();
    }
    stopping.forEach(Thread::interrupt);
    for (Thread t : stopping) {
      try {
        t.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    LOG.info("policy controller stopped");
  }

  // ---- events ----

  private <T extends HasMetadata> void attach(
      SharedIndexInformer<T> informer, BiConsumer<T, T> onChange) {
    ResourceEventHandler<T> h =
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(T obj) {
            safely(() -> onChange.accept(null, obj));
          }

          @Override
          public void onUpdate(T oldObj, T newObj) {
            if (Objects.equals(
                oldObj.getMetadata().getResourceVersion(),
                newObj.getMetadata().getResourceVersion())) {
              return; // informer resync: nothing changed
            }
            safely(() -> onChange.accept(oldObj, newObj));
          }

          @Override
          public void onDelete(T obj, boolean deletedFinalStateUnknown) {
            safely(() -> onChange.accept(obj, null));
          }
        };
    informer.addEventHandler(h);
    detach.add(() -> informer.removeEventHandler(h));
  }

  private void policyEvent(NetworkPolicy old, NetworkPolicy now) {
    if (now != null) {
      affected.policyChanged(now);
    }
    mark(List.of(PolicyKey.of(now != null ? now : old)));
  }

  private void podEvent(Pod old, Pod now) {
    PodInfo before;
    PodInfo after = null;
    if (now != null) {
      after = PodInfo.of(now);
      before = index.putPod(after);
    } else {
      before = index.removePod(old.getMetadata().getNamespace(), old.getMetadata().getName());
    }
    if (ready) {
      mark(affected.byPod(before, after));
    }
  }

  private void namespaceEvent(Namespace old, Namespace now) {
    Map<String, String> before;
    Map<String, String> after = null;
    if (now != null) {
      before = index.putNamespace(now);
      after = ResolutionEngine.namespaceLabels(now);
    } else {
      before = index.removeNamespace(old.getMetadata().getName());
    }
    if (ready) {
      mark(affected.byNamespace(before, after));
    }
  }

  private void serviceEvent(Service old, Service now) {
    ServiceInfo before;
    ServiceInfo after = null;
    if (now != null) {
      after = ServiceInfo.of(now);
      before = index.putService(now);
    } else {
      before = index.removeService(old.getMetadata().getNamespace(), old.getMetadata().getName());
    }
    if (ready) {
      mark(affected.byService(before, after));
    }
  }

  /** A PolicyEndpoint changed: its policy is reconciled again unless the change was our write. */
  private void endpointEvent(PolicyEndpoint old, PolicyEndpoint now) {
    for (PolicyKey k : endpoints.observed(old, now)) {
      mark(List.of(k));
    }
  }

  private void mark(Collection<PolicyKey> keys) {
    if (keys.isEmpty()) {
      return;
    }
    Instant now = options.clock().instant();
    keys.forEach(k -> queue.mark(k, now));
  }

  private static void safely(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      LOG.error("event handling failed; the next resync repairs it", e);
    }
  }

  // ---- work ----

  private void work() {
    try {
      while (running && !informers.allSynced()) {
        Thread.sleep(20);
      }
      becomeReady();
      while (running) {
        DirtyQueue.Item<PolicyKey> item = queue.take();
        if (item == null) {
          return;
        }
        try {
          reconcile(item.key(), item.firstSeen());
        } catch (RuntimeException e) {
          errors.incrementAndGet();
          LOG.warn(
              "netpol {}: {}; retrying in {}",
              item.key(),
              e instanceof PolicyEndpointWriter.WriteException ? e.getMessage() : e.toString(),
              options.retryDelay());
          try {
            scheduler.schedule(
                () -> queue.mark(item.key(), item.firstSeen()),
                options.retryDelay().toMillis(),
                TimeUnit.MILLISECONDS);
          } catch (java.util.concurrent.RejectedExecutionException closed) {
            return;
          }
        } finally {
          reconciles.incrementAndGet();
          queue.done(item.key());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Once, when the informers have synced: indexes their contents (events before this only indexed
   * what they carried) and marks every policy.
   */
  private void becomeReady() {
    synchronized (readiness) {
      if (!ready && running) {
        index();
      }
    }
  }

  private void index() {
    long t0 = System.nanoTime();
    informers.namespaces().getStore().list().forEach(index::putNamespace);
    informers.pods().getStore().list().forEach(index::putPod);
    informers.services().getStore().list().forEach(index::putService);
    informers.networkPolicies().getStore().list().forEach(affected::policyChanged);
    informers.policyEndpoints().getStore().list().forEach(pe -> endpoints.observed(null, pe));
    ready = true;
    resyncAll();
    LOG.info(
        "caches synced and indexed in {} ms: {} policies to reconcile",
        (System.nanoTime() - t0) / 1_000_000,
        queue.size());
  }

  /** Brings the PolicyEndpoints of one policy to the desired state. */
  void reconcile(PolicyKey key, Instant changeSeen) {
    NetworkPolicy np =
        informers.networkPolicies().getStore().getByKey(key.namespace() + "/" + key.name());
    List<PolicyEndpoint> existing = endpoints.of(key);
    long writesBefore = writer.writes();
    if (np == null) {
      affected.forget(key);
      lastError.remove(key);
      if (!existing.isEmpty()) {
        writer.apply(new PlannedChanges(List.of(), List.of(), existing, List.of()), changeSeen);
        LOG.info("netpol {}: deleted, removed {} PolicyEndpoints", key, existing.size());
      }
      return;
    }
    affected.policyChanged(np);
    Instant now = options.clock().instant();
    ParsedPolicy parsed;
    try {
      parsed = PolicyParser.parse(np);
    } catch (ModelException e) {
      invalid(np, key, PolicyResolver.error(np, e), existing, changeSeen, now);
      return;
    }
    long t0 = System.nanoTime();
    ResolutionEngine engine = new ResolutionEngine(index, parsed);
    ResolvedPolicy ok = engine.resolve();
    affected.resolved(key, np.getMetadata().getResourceVersion(), engine.dependencies());
    if (lastError.remove(key) != null) {
      LOG.info("netpol {}: resolves again", key);
    }
    PlannedChanges changes = planner.diff(planner.plan(ok), existing);
    long t1 = System.nanoTime();
    if (!changes.isEmpty()) {
      planned.record(changeSeen, options.clock().instant());
    }
    List<PolicyEndpoint> stored = writer.apply(changes, changeSeen);
    long t2 = System.nanoTime();
    if (!changes.isEmpty()) {
      latency.record(changeSeen, options.clock().instant());
    }
    writer.setResolved(rulesChunks(stored), true, "Resolved", "policy resolved", now);
    long t3 = System.nanoTime();
    if (LOG.isDebugEnabled()) {
      LOG.debug(
          "netpol {}: resolved and planned in {} us, written in {} us, status in {} us",
          key,
          (t1 - t0) / 1000,
          (t2 - t1) / 1000,
          (t3 - t2) / 1000);
    }
    if (!changes.isEmpty()) {
      LOG.info(
          "netpol {}: {} selected pods, {} ingress, {} egress entries: {}",
          key,
          ok.selectedPods().size(),
          ok.ingress().size(),
          ok.egress().size(),
          changes);
    }
    if (writer.writes() != writesBefore) {
      settled.record(changeSeen, options.clock().instant());
    }
  }

  private void invalid(
      NetworkPolicy np,
      PolicyKey key,
      ResolutionError error,
      List<PolicyEndpoint> existing,
      Instant changeSeen,
      Instant now) {
    if (!error.toString().equals(lastError.put(key, error.toString()))) {
      errors.incrementAndGet();
      LOG.warn("{}", error);
    }
    List<PolicyEndpoint> stored = existing;
    if (existing.isEmpty()) {
      stored =
          writer.apply(
              new PlannedChanges(List.of(placeholder(np)), List.of(), List.of(), List.of()),
              changeSeen);
    }
    writer.setResolved(rulesChunks(stored), false, "InvalidPolicy", error.toString(), now);
  }

  /** The Resolved condition lives on the rules chunks; selections carry no status. */
  private static List<PolicyEndpoint> rulesChunks(List<PolicyEndpoint> pes) {
    return pes.stream().filter(pe -> !ChunkSet.isSelection(pe)).toList();
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
