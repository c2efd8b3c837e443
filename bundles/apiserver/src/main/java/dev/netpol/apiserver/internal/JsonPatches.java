package dev.netpol.apiserver.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.zjsonpatch.CompatibilityFlags;
import io.fabric8.zjsonpatch.JsonPatch;
import io.fabric8.zjsonpatch.JsonPatchException;
import java.util.EnumSet;

/**
 * RFC 6902 JSON patch (add, remove, replace, move, copy, test; RFC 6901 pointers) by zjsonpatch,
 * with its failures turned into the API server's 422 Status. Strict as the RFC (and the real API
 * server) is: removing a missing member fails.
 */
final class JsonPatches {
  private static final EnumSet<CompatibilityFlags> RFC =
      EnumSet.of(CompatibilityFlags.FORBID_REMOVE_MISSING_OBJECT);

  private JsonPatches() {}

  /** Returns the patched copy of target; target is not changed. */
  static JsonNode apply(JsonNode target, JsonNode patch) {
    if (!patch.isArray()) {
      throw ApiException.badRequest("a JSON patch must be an array of operations");
    }
    try {
      return JsonPatch.apply(patch, target, RFC);
    } catch (JsonPatchException e) {
      throw ApiException.unprocessable(
          "the server rejected our request due to an error in our request: json patch "
              + (e.getOperation() == null ? "" : e.getOperation().toString().toLowerCase() + " ")
              + (e.getPath() == null ? "" : "at " + e.getPath() + " ")
              + "failed: "
              + e.getMessage());
    }
  }
}
