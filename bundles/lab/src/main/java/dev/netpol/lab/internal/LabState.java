package dev.netpol.lab.internal;

import dev.netpol.lab.LabPod;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything the lab made, as saved in {@code state.json}: its name prefix and address ranges
 * (fixed at first use), the namespaces it created in the API, and its pods.
 */
public record LabState(
    String prefix, String pool4, String pool6, List<String> createdNamespaces, List<LabPod> pods) {
  public LabState {
    createdNamespaces = new ArrayList<>(createdNamespaces == null ? List.of() : createdNamespaces);
    pods = new ArrayList<>(pods == null ? List.of() : pods);
  }
}
