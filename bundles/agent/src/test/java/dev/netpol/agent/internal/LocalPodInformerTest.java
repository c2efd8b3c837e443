package dev.netpol.agent.internal;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netpol.apiserver.EmbeddedApiServer;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Through a real API: a LocalPod informer gets pods listed and watched, as LocalPods. */
class LocalPodInformerTest {
  @TempDir Path dir;

  @Test
  void podsArriveAsLocalPodsByListAndByWatch() throws Exception {
    EmbeddedApiServer api = new EmbeddedApiServer();
    api.start("127.0.0.1", 0, dir.resolve("api"));
    // like the watch bundle's client: only registered kinds (here none but Status) are mapped
    KubernetesSerialization serialization = new KubernetesSerialization(new ObjectMapper(), false);
    serialization.registerKubernetesResource(Status.class);
    api.writeKubeconfig(dir.resolve("kubeconfig"));
    try (KubernetesClient client =
        new KubernetesClientBuilder()
            .withConfig(
                new ConfigBuilder(
                        Config.fromKubeconfig(Files.readString(dir.resolve("kubeconfig"))))
                    .withOnlyHttpWatches(true)
                    .build())
            .withKubernetesSerialization(serialization)
            .build()) {
      client
          .namespaces()
          .resource(new NamespaceBuilder().withNewMetadata().withName("x").endMetadata().build())
          .create();
      create(client, pod("a", "198.18.30.2"));
      SharedIndexInformer<LocalPod> informer =
          client.resources(LocalPod.class).inAnyNamespace().runnableInformer(0);
      informer.start().toCompletableFuture().get(30, TimeUnit.SECONDS);
      create(client, pod("b", "198.18.30.3"));
      long end = System.currentTimeMillis() + 20_000;
      // the create, then the status update: wait for the second event
      while (!hasAddress(informer.getStore().getByKey("x/b")) && System.currentTimeMillis() < end) {
        Thread.sleep(50);
      }
      LocalPod listed = informer.getStore().getByKey("x/a");
      LocalPod watched = informer.getStore().getByKey("x/b");
      assertNotNull(watched, "the watched pod arrived");
      assertEquals("198.18.30.2", listed.getStatus().getPodIPs().get(0).getIp());
      assertEquals("198.18.30.3", watched.getStatus().getPodIP());
      assertNull(serialization.getRegisteredKubernetesResource("v1", "Pod"));
      informer.close();
    } finally {
      api.stop();
    }
  }

  private static boolean hasAddress(LocalPod p) {
    return p != null && p.getStatus() != null && p.getStatus().getPodIP() != null;
  }

  /** As a kubelet does: the pod, then its status (a create leaves the status out). */
  private static void create(KubernetesClient client, Pod pod) {
    Pod created = client.pods().inNamespace("x").resource(pod).create();
    created.setStatus(pod.getStatus());
    client.pods().inNamespace("x").resource(created).updateStatus();
  }

  private static Pod pod(String name, String ip) {
    return new PodBuilder()
        .withNewMetadata()
        .withNamespace("x")
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withNodeName("n1")
        .addNewContainer()
        .withName("c")
        .withImage("i")
        .endContainer()
        .endSpec()
        .withNewStatus()
        .withPhase("Running")
        .withPodIP(ip)
        .addNewPodIP(ip)
        .endStatus()
        .build();
  }
}
