package dev.netpol.lab.internal;

import dev.netpol.lab.LabPod;
import dev.netpol.lab.ServePort;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The API side of lab pods, kubelet-style: the Pod object (containers with the served ports named
 * {@code serve-<port>-<proto>}), then its status through the status subresource; optionally a
 * ClusterIP Service {@code s-<ns>-<name>} selecting the pod by {@code pod=<name>}.
 */
public final class ApiRegistrar implements AutoCloseable {
  private final KubernetesClient client;
  private final String kubeconfig;

  public ApiRegistrar(Path kubeconfig) {
    this.kubeconfig = kubeconfig.toString();
    String text;
    try {
      text = Files.readString(kubeconfig);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read the kubeconfig "
              + kubeconfig
              + " (start `netpol standalone` or pass --kubeconfig FILE, or --no-api)",
          e);
    }
    Config cfg =
        new ConfigBuilder(Config.fromKubeconfig(null, text, kubeconfig.toString()))
            .withHttp2Disable(true)
            .withRequestRetryBackoffLimit(2)
            .withConnectionTimeout(5000)
            .withRequestTimeout(10000)
            .build();
    client =
        new KubernetesClientBuilder()
            .withConfig(cfg)
            .withHttpClientFactory(new JdkHttpClientFactory())
            .build();
  }

  public KubernetesClient client() {
    return client;
  }

  /** Creates the namespace if missing; true when this call created it. */
  public boolean ensureNamespace(String ns) {
    if (client.namespaces().withName(ns).get() != null) {
      return false;
    }
    try {
      client
          .namespaces()
          .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
          .create();
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        return false;
      }
      throw fail("namespace " + ns, e);
    }
  }

  /** Creates the Pod object and writes a Running, Ready status like a kubelet would. */
  public void registerPod(LabPod pod, List<ServePort> serve, String hostIp) {
    List<io.fabric8.kubernetes.api.model.Container> containers = new ArrayList<>();
    for (ServePort p : serve) {
      containers.add(
          new ContainerBuilder()
              .withName("cont-" + p.port() + "-" + p.protocol())
              .withImage("netpol-lab")
              .withPorts(
                  new ContainerPortBuilder()
                      .withName(p.portName())
                      .withContainerPort(p.port())
                      .withProtocol(p.protocol().toUpperCase(Locale.ROOT))
                      .build())
              .build());
    }
    if (containers.isEmpty()) {
      containers.add(new ContainerBuilder().withName("pod").withImage("netpol-lab").build());
    }
    Pod object =
        new PodBuilder()
            .withNewMetadata()
            .withNamespace(pod.namespace())
            .withName(pod.name())
            .withLabels(pod.labels())
            .addToAnnotations("netpol.dev/lab-netns", pod.netns())
            .addToAnnotations("netpol.dev/lab-host-veth", pod.hostVeth())
            .endMetadata()
            .withNewSpec()
            .withNodeName(pod.nodeName())
            .withContainers(containers)
            .endSpec()
            .build();
    Pod created;
    try {
      created = client.pods().inNamespace(pod.namespace()).resource(object).create();
    } catch (KubernetesClientException e) {
      throw fail("pod " + pod.key(), e);
    }
    String now = Instant.now().toString();
    List<PodIP> ips = new ArrayList<>(List.of(new PodIP(pod.ipv4())));
    if (pod.ipv6() != null) {
      ips.add(new PodIP(pod.ipv6()));
    }
    List<PodCondition> conditions = new ArrayList<>();
    for (String type : List.of("PodScheduled", "Initialized", "ContainersReady", "Ready")) {
      conditions.add(
          new PodConditionBuilder()
              .withType(type)
              .withStatus("True")
              .withLastTransitionTime(now)
              .build());
    }
    created.setStatus(
        new io.fabric8.kubernetes.api.model.PodStatusBuilder()
            .withPhase("Running")
            .withPodIP(pod.ipv4())
            .withPodIPs(ips)
            .withHostIP(hostIp)
            .withStartTime(now)
            .withConditions(conditions)
            .withContainerStatuses(
                created.getSpec().getContainers().stream()
                    .map(
                        c ->
                            new ContainerStatusBuilder()
                                .withName(c.getName())
                                .withImage(c.getImage())
                                .withReady(true)
                                .withStarted(true)
                                .withRestartCount(0)
                                .withNewState()
                                .withNewRunning()
                                .withStartedAt(now)
                                .endRunning()
                                .endState()
                                .build())
                    .toList())
            .build());
    try {
      client.pods().inNamespace(pod.namespace()).resource(created).updateStatus();
    } catch (KubernetesClientException e) {
      throw fail("pod " + pod.key() + " status", e);
    }
  }

  /** Creates the Service {@code s-<ns>-<name>}; returns its name and ClusterIP. */
  public Map.Entry<String, String> createService(LabPod pod, List<ServePort> serve) {
    if (serve.isEmpty()) {
      throw new IllegalArgumentException(
          "pod " + pod.key() + ": --service needs at least one --serve port");
    }
    String name = "s-" + pod.namespace() + "-" + pod.name();
    if (name.length() > 63) {
      throw new IllegalArgumentException(
          "pod " + pod.key() + ": service name " + name + " is longer than 63");
    }
    Service svc =
        new ServiceBuilder()
            .withNewMetadata()
            .withNamespace(pod.namespace())
            .withName(name)
            .endMetadata()
            .withNewSpec()
            .withType("ClusterIP")
            .withSelector(Map.of("pod", pod.name()))
            // a dual-stack pod gets a dual-stack Service: ClusterIPs of both families
            .withIpFamilyPolicy(pod.ipv6() == null ? "SingleStack" : "PreferDualStack")
            .withIpFamilies(pod.ipv6() == null ? List.of("IPv4") : List.of("IPv4", "IPv6"))
            .withPorts(
                serve.stream()
                    .map(
                        p ->
                            new ServicePortBuilder()
                                .withName(p.portName())
                                .withPort(p.port())
                                .withTargetPort(new IntOrString(p.port()))
                                .withProtocol(p.protocol().toUpperCase(Locale.ROOT))
                                .build())
                    .toList())
            .endSpec()
            .build();
    try {
      Service created = client.services().inNamespace(pod.namespace()).resource(svc).create();
      return Map.entry(name, String.valueOf(created.getSpec().getClusterIP()));
    } catch (KubernetesClientException e) {
      throw fail("service " + pod.namespace() + "/" + name, e);
    }
  }

  /** The ClusterIPs of a Service (primary first), or an error naming it. */
  public List<String> clusterIps(String ns, String name) {
    Service s = client.services().inNamespace(ns).withName(name).get();
    if (s == null) {
      throw new IllegalArgumentException("service " + ns + "/" + name + " does not exist");
    }
    List<String> ips = s.getSpec().getClusterIPs();
    return ips == null || ips.isEmpty() ? List.of(s.getSpec().getClusterIP()) : ips;
  }

  public void deletePod(String ns, String name) {
    client.pods().inNamespace(ns).withName(name).withGracePeriod(0).delete();
  }

  public void deleteService(String ns, String name) {
    client.services().inNamespace(ns).withName(name).delete();
  }

  public void deleteNamespace(String ns) {
    client.namespaces().withName(ns).delete();
  }

  private RuntimeException fail(String what, KubernetesClientException e) {
    String msg =
        e.getStatus() != null && e.getStatus().getMessage() != null
            ? e.getStatus().getMessage()
            : e.getMessage();
    return new IllegalStateException(
        what + ": the API at " + kubeconfig + " refused it: " + msg, e);
  }

  @Override
  public void close() {
    client.close();
  }
}
