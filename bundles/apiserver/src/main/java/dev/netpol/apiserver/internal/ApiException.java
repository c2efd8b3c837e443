package dev.netpol.apiserver.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** A failed API call; carries what becomes a metav1.Status body. */
public final class ApiException extends RuntimeException {
  private final int code;
  private final String reason;
  private final ObjectNode details;

  public ApiException(int code, String reason, String message, ObjectNode details) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  public int code() {
    return code;
  }

  public String reason() {
    return reason;
  }

  public static ApiException notFound(ResourceType type, String name) {
    return new ApiException(
        404,
        "NotFound",
        type.qualifiedResource() + " \"" + name + "\" not found",
        details(type, name));
  }

  public static ApiException namespaceNotFound(String ns) {
    return notFound(ResourceRegistry.NAMESPACES, ns);
  }

  public static ApiException alreadyExists(ResourceType type, String name) {
    return new ApiException(
        409,
        "AlreadyExists",
        type.qualifiedResource() + " \"" + name + "\" already exists",
        details(type, name));
  }

  public static ApiException conflict(ResourceType type, String name) {
    return new ApiException(
        409,
        "Conflict",
        "Operation cannot be fulfilled on "
            + type.qualifiedResource()
            + " \""
            + name
            + "\": the object has been modified; please apply your changes to the latest version and try again",
        details(type, name));
  }

  public static ApiException invalid(ResourceType type, String name, List<FieldError> errors) {
    String joined =
        errors.size() == 1
            ? errors.get(0).message()
            : "[" + String.join(", ", errors.stream().map(FieldError::message).toList()) + "]";
    ObjectNode d =
        Json.object()
            .put("name", name == null ? "" : name)
            .put("group", type.group())
            .put("kind", type.kind());
    ArrayNode causes = d.putArray("causes");
    for (FieldError e : errors) {
      causes
          .addObject()
          .put("reason", e.reason())
          .put("message", e.causeMessage())
          .put("field", e.field());
    }
    return new ApiException(
        422,
        "Invalid",
        type.qualifiedKind() + " \"" + (name == null ? "" : name) + "\" is invalid: " + joined,
        d);
  }

  public static ApiException badRequest(String message) {
    return new ApiException(400, "BadRequest", message, null);
  }

  public static ApiException unprocessable(String message) {
    return new ApiException(422, "Invalid", message, null);
  }

  public static ApiException methodNotAllowed(String message) {
    return new ApiException(405, "MethodNotAllowed", message, null);
  }

  public static ApiException unsupportedMediaType(String contentType) {
    return new ApiException(
        415,
        "UnsupportedMediaType",
        "the body of the request was in an unknown format - accepted media types include: "
            + "application/json, application/yaml, application/json-patch+json, application/merge-patch+json, "
            + "application/strategic-merge-patch+json, application/apply-patch+yaml (got "
            + contentType
            + ")",
        null);
  }

  public static ApiException pathNotFound() {
    return new ApiException(
        404, "NotFound", "the server could not find the requested resource", Json.object());
  }

  public static ApiException tooLarge(int limit) {
    return new ApiException(
        413, "RequestEntityTooLarge", "Request entity too large: limit is " + limit, null);
  }

  public static ApiException unavailable(String message) {
    return new ApiException(503, "ServiceUnavailable", message, null);
  }

  public static ApiException gone(String message) {
    return new ApiException(410, "Expired", message, null);
  }

  private static ObjectNode details(ResourceType type, String name) {
    return Json.object().put("name", name).put("group", type.group()).put("kind", type.plural());
  }

  /** The metav1.Status body for this error. */
  public ObjectNode status() {
    ObjectNode s = Json.object().put("kind", "Status").put("apiVersion", "v1");
    s.putObject("metadata");
    s.put("status", "Failure").put("message", getMessage()).put("reason", reason);
    if (details != null) {
      s.set("details", details);
    }
    s.put("code", code);
    return s;
  }
}
