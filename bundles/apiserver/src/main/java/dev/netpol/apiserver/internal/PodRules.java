package dev.netpol.apiserver.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A new pod starts Pending (its status from the create body is dropped, as by the real server). */
final class PodRules implements KindRules {
  @Override
  public void applyDefaults(ObjectNode obj, ObjectNode old) {
    ObjectNode status = Json.child(obj, "status");
    if (!status.has("phase")) {
      status.put("phase", "Pending");
    }
  }
}
