package dev.netpol.resolver.internal.bundle;

import dev.netpol.api.status.ControllerStatus;
import dev.netpol.api.status.PolicyStatus;
import dev.netpol.platform.guice.Managed;
import dev.netpol.platform.guice.ServiceRef;
import dev.netpol.platform.guice.Setting;
import dev.netpol.platform.guice.Settings;
import dev.netpol.policyendpoint.PolicyEndpoint;
import dev.netpol.resolver.ControllerOptions;
import dev.netpol.resolver.InformerSource;
import dev.netpol.resolver.internal.ElectedController;
import dev.netpol.resolver.internal.ElectionOptions;
import dev.netpol.watch.KubeCluster;
import dev.netpol.watch.Selection;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a controller candidate while a cluster is connected: installs the PolicyEndpoint CRD if it
 * is missing, warms the shared informers, and takes part in the leader election; the leader
 * reconciles. Stops when the connection goes. Registered as the {@link ControllerStatus} service.
 */
final class ControllerRunner implements Managed, ControllerStatus {
  static final Setting<Integer> CHUNK_SIZE =
      Setting.integer(
          "netpol.controller.chunk.size",
          1000,
          1,
          100_000,
          "entries per list in one PolicyEndpoint; larger results are split into chunks");
  static final Setting<Integer> PER_NODE_ABOVE =
      Setting.integer(
          "netpol.controller.selection.per-node-above",
          dev.netpol.resolver.PolicyEndpointPlanner.DEFAULT_PER_NODE_ABOVE,
          0,
          Integer.MAX_VALUE,
          "policies selecting more pods than this list them in one object per node");
  static final Setting<Duration> RESYNC =
      Setting.duration(
          "netpol.controller.resync",
          Duration.ofMinutes(5),
          "period of a full reconcile of every NetworkPolicy");
  static final Setting<Integer> WORKERS =
      Setting.integer(
          "netpol.controller.workers",
          ControllerOptions.DEFAULT_WORKERS,
          1,
          64,
          "policies reconciled at the same time");
  static final Setting<Boolean> ELECTION =
      Setting.bool(
          "netpol.controller.leader-election",
          true,
          "elect one writing controller among several on a coordination.k8s.io/v1 Lease");
  static final Setting<String> LEASE_NAME =
      Setting.string("netpol.controller.lease.name", "netpol-controller", "name of the Lease");
  static final Setting<String> LEASE_NAMESPACE =
      Setting.string(
          "netpol.controller.lease.namespace",
          "",
          "namespace of the Lease; empty: $POD_NAMESPACE, the service account's, else kube-system");
  static final Setting<Duration> LEASE_DURATION =
      Setting.duration(
          "netpol.controller.lease.duration",
          Duration.ofSeconds(10),
          "how long an unrenewed lease stays valid (a dead leader is replaced after at most this"
              + " plus about two retry periods)");
  static final Setting<Duration> RENEW_DEADLINE =
      Setting.duration(
          "netpol.controller.lease.renew-deadline",
          Duration.ofSeconds(7),
          "a leader that could not renew its lease for this long stops writing");
  static final Setting<Duration> RETRY_PERIOD =
      Setting.duration(
          "netpol.controller.lease.retry-period",
          Duration.ofSeconds(1),
          "how often candidates try to acquire the lease and the leader renews it");
  static final List<Setting<?>> SETTINGS =
      List.of(
          CHUNK_SIZE,
          PER_NODE_ABOVE,
          RESYNC,
          WORKERS,
          ELECTION,
          LEASE_NAME,
          LEASE_NAMESPACE,
          LEASE_DURATION,
          RENEW_DEADLINE,
          RETRY_PERIOD);
  private static final Logger LOG = LoggerFactory.getLogger(ControllerRunner.class);
  private final Settings settings;
  private final ServiceRef<KubeCluster> clusters;
  private final String identity = ElectionOptions.defaultIdentity();
  private AutoCloseable following;
  private volatile ElectedController controller;
  private KubeCluster connected;

  @Inject
  ControllerRunner(Settings settings, ServiceRef<KubeCluster> clusters) {
    this.settings = settings;
    this.clusters = clusters;
  }

  @Override
  public void start() {
    following = clusters.follow(this::clusterChanged);
  }

  private synchronized void clusterChanged(Optional<KubeCluster> cluster) {
    if (cluster.orElse(null) == connected) {
      return; // told again about the same connection
    }
    connected = cluster.orElse(null);
    if (controller != null) {
      LOG.info(
          "the cluster connection {}: controller candidate stopped",
          connected == null ? "went" : "changed");
      controller.close();
      controller = null;
    }
    cluster.ifPresent(
        c -> {
          try {
            ensureCrd(c);
          } catch (RuntimeException e) {
            LOG.error(
                "cannot install the PolicyEndpoint CRD at {}: {}; the controller needs it",
                c.describe(),
                e.getMessage());
          }
          ControllerOptions options =
              ControllerOptions.defaults()
                  .withChunkSize(settings.get(CHUNK_SIZE))
                  .withResyncPeriod(settings.get(RESYNC))
                  .withWorkers(settings.get(WORKERS))
                  .withPerNodeAbove(settings.get(PER_NODE_ABOVE));
          controller = new ElectedController(c.client(), informers(c), options, election()).start();
          LOG.info("policy controller candidate {} against the {}", identity, c.describe());
        });
  }

  private ElectionOptions election() {
    String ns = settings.get(LEASE_NAMESPACE).trim();
    try {
      return new ElectionOptions(
          settings.get(ELECTION),
          ns.isEmpty() ? ElectionOptions.defaultNamespace() : ns,
          settings.get(LEASE_NAME),
          identity,
          settings.get(LEASE_DURATION),
          settings.get(RENEW_DEADLINE),
          settings.get(RETRY_PERIOD));
    } catch (IllegalArgumentException e) {
      LOG.error("netpol.controller.lease.*: {}; using 10s, 7s and 1s", e.getMessage());
      return new ElectionOptions(
          settings.get(ELECTION),
          ns.isEmpty() ? ElectionOptions.defaultNamespace() : ns,
          settings.get(LEASE_NAME),
          identity,
          Duration.ofSeconds(10),
          Duration.ofSeconds(7),
          Duration.ofSeconds(1));
    }
  }

  /** Creates or updates the CRD shipped in the policyendpoint bundle. */
  static void ensureCrd(KubeCluster c) {
    try (InputStream in = PolicyEndpoint.class.getResourceAsStream(PolicyEndpoint.CRD_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            "CRD resource " + PolicyEndpoint.CRD_RESOURCE + " is missing");
      }
      CustomResourceDefinition crd =
          c.client().getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
      var crds = c.client().apiextensions().v1().customResourceDefinitions();
      var existing = crds.withName(crd.getMetadata().getName()).get();
      if (existing == null) {
        try {
          crds.resource(crd).create();
          LOG.info("installed CRD {}", crd.getMetadata().getName());
        } catch (KubernetesClientException e) {
          if (e.getCode() != 409) {
            throw e;
          }
          // another controller installed it meanwhile
        }
      } else if (!existing.getSpec().equals(crd.getSpec())) {
        crds.withName(crd.getMetadata().getName())
            .patch(
                PatchContext.of(PatchType.JSON_MERGE),
                c.client()
                    .getKubernetesSerialization()
                    .asJson(java.util.Map.of("spec", crd.getSpec())));
        LOG.info("updated CRD {}", crd.getMetadata().getName());
      }
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static InformerSource informers(KubeCluster c) {
    return InformerSource.of(
        c.informer(NetworkPolicy.class, Selection.ALL),
        c.informer(Pod.class, Selection.ALL),
        c.informer(Namespace.class, Selection.ALL),
        c.informer(Service.class, Selection.ALL),
        c.informer(PolicyEndpoint.class, Selection.ALL));
  }

  @Override
  public synchronized void stop() throws Exception {
    if (following != null) {
      following.close();
    }
    if (controller != null) {
      controller.close();
      controller = null;
    }
    connected = null;
  }

  // ---- ControllerStatus ----

  @Override
  public boolean leader() {
    ElectedController c = controller;
    return c != null && c.leader();
  }

  @Override
  public String identity() {
    return identity;
  }

  @Override
  public List<PolicyStatus> policies() {
    ElectedController c = controller;
    return c == null ? List.of() : c.policies();
  }

  @Override
  public long writes() {
    ElectedController c = controller;
    return c == null ? 0 : c.writes();
  }

  @Override
  public long errors() {
    ElectedController c = controller;
    return c == null ? 0 : c.errors();
  }
}
