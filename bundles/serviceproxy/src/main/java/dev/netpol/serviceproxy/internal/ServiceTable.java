package dev.netpol.serviceproxy.internal;

import dev.netpol.netfilter.Family;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Joins Services with their EndpointSlices (label {@code kubernetes.io/service-name}) into {@link
 * ServicePortEntry}s: one per (ClusterIP, port), with the ready endpoints of the slices of that IP
 * family whose port has the same name and protocol.
 */
final class ServiceTable {
  static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

  private ServiceTable() {}

  static List<ServicePortEntry> build(
      Collection<Service> services, Collection<EndpointSlice> slices) {
    Map<String, List<EndpointSlice>> byService =
        slices.stream()
            .filter(
                s ->
                    s.getMetadata().getLabels() != null
                        && s.getMetadata().getLabels().get(SERVICE_NAME_LABEL) != null)
            .collect(
                Collectors.groupingBy(
                    s ->
                        s.getMetadata().getNamespace()
                            + "/"
                            + s.getMetadata().getLabels().get(SERVICE_NAME_LABEL)));
    List<ServicePortEntry> out = new ArrayList<>();
    for (Service svc : services) {
      if (svc.getSpec() == null
          || "ExternalName".equals(svc.getSpec().getType())
          || svc.getSpec().getPorts() == null) {
        continue;
      }
      String ns = svc.getMetadata().getNamespace();
      String name = svc.getMetadata().getName();
      for (String ip : clusterIps(svc)) {
        Family family = Family.of(ip);
        for (ServicePort p : svc.getSpec().getPorts()) {
          String portName = p.getName() == null ? "" : p.getName();
          String protocol = p.getProtocol() == null ? "TCP" : p.getProtocol();
          Set<ServicePortEntry.Backend> backends = new LinkedHashSet<>();
          for (EndpointSlice slice : byService.getOrDefault(ns + "/" + name, List.of())) {
            if (!family.name().equals(slice.getAddressType().replace("IPv", "V"))
                || slice.getPorts() == null) {
              continue;
            }
            for (EndpointPort ep : slice.getPorts()) {
              if (!portName.equals(ep.getName() == null ? "" : ep.getName())
                  || !protocol.equals(ep.getProtocol() == null ? "TCP" : ep.getProtocol())
                  || ep.getPort() == null) {
                continue;
              }
              for (Endpoint e :
                  slice.getEndpoints() == null ? List.<Endpoint>of() : slice.getEndpoints()) {
                if (e.getConditions() != null
                    && Boolean.FALSE.equals(e.getConditions().getReady())) {
                  continue;
                }
                e.getAddresses()
                    .forEach(a -> backends.add(new ServicePortEntry.Backend(a, ep.getPort())));
              }
            }
          }
          out.add(
              new ServicePortEntry(
                  ns, name, portName, protocol, ip, p.getPort(), new ArrayList<>(backends)));
        }
      }
    }
    return out;
  }

  private static List<String> clusterIps(Service svc) {
    List<String> ips =
        svc.getSpec().getClusterIPs() != null && !svc.getSpec().getClusterIPs().isEmpty()
            ? svc.getSpec().getClusterIPs()
            : svc.getSpec().getClusterIP() == null
                ? List.of()
                : List.of(svc.getSpec().getClusterIP());
    return ips.stream()
        .filter(Objects::nonNull)
        .filter(ip -> !ip.isBlank() && !ip.equals("None"))
        .toList();
  }
}
