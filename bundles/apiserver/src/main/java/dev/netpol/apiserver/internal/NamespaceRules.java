package dev.netpol.apiserver.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Namespaces always carry kubernetes.io/metadata.name=&lt;name&gt; and are Active. */
final class NamespaceRules implements KindRules {
  static final String NAME_LABEL = "kubernetes.io/metadata.name";

  @Override
  public void applyDefaults(ObjectNode obj, ObjectNode old) {
    Json.child(Json.meta(obj), "labels").put(NAME_LABEL, Json.name(obj));
    ObjectNode status = Json.child(obj, "status");
    if (!status.has("phase")) {
      status.put("phase", "Active");
    }
  }
}
