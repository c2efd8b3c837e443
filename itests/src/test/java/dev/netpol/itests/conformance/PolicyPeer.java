package dev.netpol.itests.conformance;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A from/to peer: podSelector and/or namespaceSelector (ANDed), or an ipBlock. */
public record PolicyPeer(
    Selector podSelector, Selector namespaceSelector, String cidr, List<String> except) {
  public static PolicyPeer pods(Selector pods) {
    return new PolicyPeer(pods, null, null, List.of());
  }

  public static PolicyPeer namespaces(Selector namespaces) {
    return new PolicyPeer(null, namespaces, null, List.of());
  }

  public static PolicyPeer namespacesAndPods(Selector namespaces, Selector pods) {
    return new PolicyPeer(pods, namespaces, null, List.of());
  }

  public static PolicyPeer ipBlock(String cidr, String... except) {
    return new PolicyPeer(null, null, cidr, List.of(except));
  }

  Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    if (podSelector != null) {
      m.put("podSelector", podSelector.toMap());
    }
    if (namespaceSelector != null) {
      m.put("namespaceSelector", namespaceSelector.toMap());
    }
    if (cidr != null) {
      Map<String, Object> block = new LinkedHashMap<>();
      block.put("cidr", cidr);
      if (!except.isEmpty()) {
        block.put("except", except);
      }
      m.put("ipBlock", block);
    }
    return m;
  }
}
