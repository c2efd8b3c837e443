package dev.netpol.agent.internal;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import dev.netpol.watch.Partial;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;
import java.util.List;

/**
 * A pod of this node as the agent reads it: metadata, host network, phase and addresses, nothing
 * else. fabric8's {@code Pod} would bring its whole model (containers, volumes, probes, affinity:
 * about 400 classes loaded and introspected, and every field of every pod kept in the cache) into a
 * process that needs four fields.
 */
@Group("")
@Version("v1")
@Kind("Pod")
@Plural("pods")
@Partial
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
// read as itself, not through the by-kind deserializer that KubernetesResource names
@JsonDeserialize(using = JsonDeserializer.None.class)
public final class LocalPod implements HasMetadata, Namespaced {
  private String apiVersion = "v1";
  private String kind = "Pod";
  private ObjectMeta metadata;
  private Spec spec;
  private Status status;

  public LocalPod() {}

  /** A pod with these addresses (the first also as {@code status.podIP}), for tests and tools. */
  public static LocalPod running(String namespace, String name, String... ips) {
    LocalPod p = new LocalPod();
    ObjectMeta m = new ObjectMeta();
    m.setNamespace(namespace);
    m.setName(name);
    p.setMetadata(m);
    p.setSpec(new Spec());
    Status s = new Status();
    s.setPhase("Running");
    s.setPodIP(ips.length == 0 ? null : ips[0]);
    s.setPodIPs(List.of(ips).stream().map(PodIP::new).toList());
    p.setStatus(s);
    return p;
  }

  @Override
  public String getApiVersion() {
    return apiVersion;
  }

  @Override
  public void setApiVersion(String apiVersion) {
    this.apiVersion = apiVersion;
  }

  @Override
  public String getKind() {
    return kind;
  }

  public void setKind(String kind) {
    this.kind = kind;
  }

  @Override
  public ObjectMeta getMetadata() {
    return metadata;
  }

  @Override
  public void setMetadata(ObjectMeta metadata) {
    this.metadata = metadata;
  }

  public Spec getSpec() {
    return spec;
  }

  public void setSpec(Spec spec) {
    this.spec = spec;
  }

  public Status getStatus() {
    return status;
  }

  public void setStatus(Status status) {
    this.status = status;
  }

  /** {@code spec}: only whether the pod shares the node's network. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static final class Spec {
    private Boolean hostNetwork;

    public Boolean getHostNetwork() {
      return hostNetwork;
    }

    public void setHostNetwork(Boolean hostNetwork) {
      this.hostNetwork = hostNetwork;
    }
  }

  /** {@code status}: the phase and the addresses. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static final class Status {
    private String phase;
    private String podIP;
    private List<PodIP> podIPs;

    public String getPhase() {
      return phase;
    }

    public void setPhase(String phase) {
      this.phase = phase;
    }

    public String getPodIP() {
      return podIP;
    }

    public void setPodIP(String podIP) {
      this.podIP = podIP;
    }

    public List<PodIP> getPodIPs() {
      return podIPs;
    }

    public void setPodIPs(List<PodIP> podIPs) {
      this.podIPs = podIPs;
    }
  }

  /** One entry of {@code status.podIPs}. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public static final class PodIP {
    private String ip;

    public PodIP() {}

    public PodIP(String ip) {
      this.ip = ip;
    }

    public String getIp() {
      return ip;
    }

    public void setIp(String ip) {
      this.ip = ip;
    }
  }
}
