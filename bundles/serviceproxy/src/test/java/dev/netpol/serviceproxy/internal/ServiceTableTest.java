package dev.netpol.serviceproxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netpol.netfilter.Family;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceTableTest {
  private static Service service(String... clusterIps) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withNamespace("x")
        .withName("web")
        .endMetadata()
        .withNewSpec()
        .withClusterIP(clusterIps[0])
        .withClusterIPs(clusterIps)
        .addNewPort()
        .withName("http")
        .withProtocol("TCP")
        .withPort(80)
        .withTargetPort(new IntOrString(8080))
        .endPort()
        .addNewPort()
        .withName("dns")
        .withProtocol("UDP")
        .withPort(53)
        .withTargetPort(new IntOrString(53))
        .endPort()
        .endSpec()
        .build();
  }

  private static EndpointSlice slice(
      String name,
      String type,
      String portName,
      String protocol,
      int port,
      Boolean ready,
      String... ips) {
    return new EndpointSliceBuilder()
        .withNewMetadata()
        .withNamespace("x")
        .withName(name)
        .withLabels(Map.of(ServiceTable.SERVICE_NAME_LABEL, "web"))
        .endMetadata()
        .withAddressType(type)
        .addNewPort()
        .withName(portName)
        .withProtocol(protocol)
        .withPort(port)
        .endPort()
        .addNewEndpoint()
        .withAddresses(ips)
        .withNewConditions()
        .withReady(ready)
        .endConditions()
        .endEndpoint()
        .build();
  }

  @Test
  void joinsServicePortsWithReadyEndpointsOfTheSameFamilyNameAndProtocol() {
    List<ServicePortEntry> entries =
        ServiceTable.build(
            List.of(service("198.19.192.10", "fd00:198:18:5e::a")),
            List.of(
                slice("a", "IPv4", "http", "TCP", 8080, true, "198.18.64.2"),
                slice("b", "IPv4", "http", "TCP", 8080, null, "198.18.64.3"),
                slice("c", "IPv4", "http", "TCP", 8080, false, "198.18.64.4"),
                slice("d", "IPv4", "other", "TCP", 9090, true, "198.18.64.5"),
                slice("e", "IPv6", "http", "TCP", 8080, true, "fd00:198:18:40::2")));
    assertEquals(4, entries.size(), "2 ports x 2 cluster IPs");
    ServicePortEntry http4 =
        entries.stream()
            .filter(e -> e.portName().equals("http") && e.family() == Family.V4)
            .findFirst()
            .orElseThrow();
    assertEquals(
        List.of(
            new ServicePortEntry.Backend("198.18.64.2", 8080),
            new ServicePortEntry.Backend("198.18.64.3", 8080)),
        http4.backends());
    ServicePortEntry http6 =
        entries.stream()
            .filter(e -> e.portName().equals("http") && e.family() == Family.V6)
            .findFirst()
            .orElseThrow();
    assertEquals(
        List.of(new ServicePortEntry.Backend("fd00:198:18:40::2", 8080)), http6.backends());
    assertEquals(
        0,
        entries.stream()
            .filter(e -> e.portName().equals("dns"))
            .mapToInt(e -> e.backends().size())
            .sum());
  }

  @Test
  void headlessServicesAreSkipped() {
    assertEquals(List.of(), ServiceTable.build(List.of(service("None")), List.of()));
  }
}
