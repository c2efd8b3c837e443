package dev.netpol.resolver.internal.bundle;

import dev.netpol.platform.guice.Managed;
import dev.netpol.platform.guice.ServiceRef;
import dev.netpol.platform.guice.Setting;
import dev.netpol.platform.guice.Settings;
import dev.netpol.policyendpoint.PolicyEndpoint;
import dev.netpol.resolver.ControllerOptions;
import dev.netpol.resolver.InformerSource;
import dev.netpol.resolver.PolicyController;
import dev.netpol.watch.KubeCluster;
import dev.netpol.watch.Selection;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
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
 * Runs the policy controller while a cluster is connected: installs the PolicyEndpoint CRD if it is
 * missing, then reconciles from the shared informers; stops when the connection goes.
 */
final class ControllerRunner implements Managed {
  static final Setting<Integer> CHUNK_SIZE =
      Setting.integer(
          "netpol.controller.chunk.size",
          1000,
          1,
          100_000,
          "entries per list in one PolicyEndpoint; larger results are split into chunks");
  static final Setting<Duration> RESYNC =
      Setting.duration(
          "netpol.controller.resync",
          Duration.ofMinutes(5),
          "period of a full reconcile of every NetworkPolicy");
  static final List<Setting<?>> SETTINGS = List.of(CHUNK_SIZE, RESYNC);
  private static final Logger LOG = LoggerFactory.getLogger(ControllerRunner.class);
  private final Settings settings;
  private final ServiceRef<KubeCluster> clusters;
  private AutoCloseable following;
  private PolicyController controller;

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
    if (controller != null) {
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
          InformerSource informers = informers(c);
          ControllerOptions options =
              ControllerOptions.defaults()
                  .withChunkSize(settings.get(CHUNK_SIZE))
                  .withResyncPeriod(settings.get(RESYNC));
          controller = new PolicyController(c.client(), informers, options).start();
          LOG.info("policy controller started against the {}", c.describe());
        });
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
      var existing =
          c.client()
              .apiextensions()
              .v1()
              .customResourceDefinitions()
              .withName(crd.getMetadata().getName())
              .get();
      if (existing == null) {
        c.client().apiextensions().v1().customResourceDefinitions().resource(crd).create();
        LOG.info("installed CRD {}", crd.getMetadata().getName());
      } else if (!existing.getSpec().equals(crd.getSpec())) {
        c.client()
            .apiextensions()
            .v1()
            .customResourceDefinitions()
            .withName(crd.getMetadata().getName())
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
  }
}
