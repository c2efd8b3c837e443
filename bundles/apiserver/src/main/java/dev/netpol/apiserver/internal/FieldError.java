package dev.netpol.apiserver.internal;

import com.fasterxml.jackson.databind.JsonNode;

/** One validation problem, rendered like the Kubernetes apimachinery field.Error. */
public record FieldError(String field, String type, String reason, Object value, String detail) {

  public static FieldError invalid(String field, Object value, String detail) {
    return new FieldError(field, "Invalid value", "FieldValueInvalid", value, detail);
  }

  public static FieldError required(String field, String detail) {
    return new FieldError(field, "Required value", "FieldValueRequired", null, detail);
  }

  public static FieldError forbidden(String field, String detail) {
    return new FieldError(field, "Forbidden", "FieldValueForbidden", null, detail);
  }

  public static FieldError unsupported(String field, Object value, String... supported) {
    StringBuilder b = new StringBuilder("supported values: ");
    for (int i = 0; i < supported.length; i++) {
      b.append(i == 0 ? "" : ", ").append('"').append(supported[i]).append('"');
    }
    return new FieldError(
        field, "Unsupported value", "FieldValueNotSupported", value, b.toString());
  }

  /** "field: Type: value: detail" as the API server prints it. */
  public String message() {
    StringBuilder b = new StringBuilder(field).append(": ").append(type);
    if (value != null) {
      b.append(": ").append(render(value));
    }
    if (detail != null && !detail.isEmpty()) {
      b.append(": ").append(detail);
    }
    return b.toString();
  }

  /** The message without the leading field, as used in Status causes. */
  public String causeMessage() {
    return message().substring(field.length() + 2);
  }

  private static String render(Object v) {
    if (v instanceof JsonNode n) {
      return n.isTextual() ? '"' + n.asText() + '"' : n.toString();
    }
    if (v instanceof String s) {
      return '"' + s + '"';
    }
    return String.valueOf(v);
  }
}
