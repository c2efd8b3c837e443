package dev.netpol.resolver.internal;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;

/**
 * What the egress step reads of a Service: its selector (empty: none), ClusterIPs (none for
 * headless and ExternalName) and ports.
 */
public record ServiceInfo(
    String namespace,
    String name,
    Map<String, String> selector,
    List<InetAddress> clusterIps,
    List<ServicePort> ports) {

  public static ServiceInfo of(Service svc) {
    Map<String, String> sel = svc.getSpec() == null ? null : svc.getSpec().getSelector();
    List<ServicePort> ports =
        svc.getSpec() == null || svc.getSpec().getPorts() == null
            ? List.of()
            : List.copyOf(svc.getSpec().getPorts());
    return new ServiceInfo(
        svc.getMetadata().getNamespace(),
        svc.getMetadata().getName(),
        sel == null ? Map.of() : Map.copyOf(sel),
        List.copyOf(ServiceEntries.clusterIps(svc)),
        ports);
  }

  /** Has a selector and a ClusterIP: its traffic goes to pods the selector picks. */
  public boolean proxiesToPods() {
    return !selector.isEmpty() && !clusterIps.isEmpty();
  }

  public boolean selects(Map<String, String> labels) {
    for (var e : selector.entrySet()) {
      if (!e.getValue().equals(labels.get(e.getKey()))) {
        return false;
      }
    }
    return !selector.isEmpty();
  }

  public String key() {
    return namespace + "/" + name;
  }
}
