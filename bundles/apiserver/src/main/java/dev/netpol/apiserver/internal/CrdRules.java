package dev.netpol.apiserver.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * CustomResourceDefinition checks; a valid CRD is immediately Established (there is no naming
 * controller).
 */
final class CrdRules implements KindRules {
  @Override
  public void applyDefaults(ObjectNode obj, ObjectNode old) {
    ObjectNode spec = Json.child(obj, "spec");
    ObjectNode names = Json.child(spec, "names");
    if (!names.hasNonNull("singular") && names.hasNonNull("kind")) {
      names.put("singular", names.get("kind").asText().toLowerCase());
    }
    if (!names.hasNonNull("listKind") && names.hasNonNull("kind")) {
      names.put("listKind", names.get("kind").asText() + "List");
    }
    ObjectNode status = Json.child(obj, "status");
    status.set("acceptedNames", names.deepCopy());
    ArrayNode conditions = status.putArray("conditions");
    String now = Json.now();
    conditions
        .addObject()
        .put("type", "NamesAccepted")
        .put("status", "True")
        .put("reason", "NoConflicts")
        .put("message", "no conflicts found")
        .put("lastTransitionTime", now);
    conditions
        .addObject()
        .put("type", "Established")
        .put("status", "True")
        .put("reason", "InitialNamesAccepted")
        .put("message", "the initial names have been accepted")
        .put("lastTransitionTime", now);
    ArrayNode stored = status.putArray("storedVersions");
    for (JsonNode v : spec.path("versions")) {
      if (v.path("storage").asBoolean(false)) {
        stored.add(v.path("name").asText());
      }
    }
  }

  @Override
  public List<FieldError> validate(ObjectNode obj, ObjectNode old) {
    List<FieldError> errs = new ArrayList<>();
    String group = Json.text(obj, "spec", "group");
    String plural = Json.text(obj, "spec", "names", "plural");
    if (group == null || group.isEmpty()) {
      errs.add(FieldError.required("spec.group", ""));
    }
    if (plural == null || plural.isEmpty()) {
      errs.add(FieldError.required("spec.names.plural", ""));
    }
    if (Json.text(obj, "spec", "names", "kind") == null) {
      errs.add(FieldError.required("spec.names.kind", ""));
    }
    String scope = Json.text(obj, "spec", "scope");
    if (!"Namespaced".equals(scope) && !"Cluster".equals(scope)) {
      errs.add(
          FieldError.unsupported(
              "spec.scope", scope == null ? "" : scope, "Cluster", "Namespaced"));
    }
    if (obj.path("spec").path("versions").size() == 0) {
      errs.add(
          FieldError.required(
              "spec.versions", "must have exactly one version marked as storage version"));
    }
    if (group != null && plural != null && !(plural + "." + group).equals(Json.name(obj))) {
      errs.add(
          FieldError.invalid(
              "metadata.name", Json.name(obj), "must be spec.names.plural+\".\"+spec.group"));
    }
    return errs;
  }
}
