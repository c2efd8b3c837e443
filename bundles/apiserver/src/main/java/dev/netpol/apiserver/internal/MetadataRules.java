package dev.netpol.apiserver.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * ObjectMeta checks every kind gets, with the API server's limits and messages: the shape of
 * metadata (400 when a field has the wrong JSON type, as the real decoder answers), label keys and
 * values, annotation keys, and at most 256 KiB of annotations (422 Invalid).
 */
final class MetadataRules {
  static final int MAX_ANNOTATIONS_BYTES = 256 * 1024;
  private static final String NAME_PART = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
  private static final Pattern NAME_PART_RE = Pattern.compile(NAME_PART);
  private static final String LABEL_VALUE = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
  private static final Pattern LABEL_VALUE_RE = Pattern.compile(LABEL_VALUE);
  private static final String SUBDOMAIN =
      "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
  private static final Pattern SUBDOMAIN_RE = Pattern.compile(SUBDOMAIN);

  private MetadataRules() {}

  /** 400 BadRequest when metadata or one of its fields has the wrong JSON type. */
  static void checkStructure(ObjectNode obj) {
    JsonNode meta = obj.get("metadata");
    if (meta == null || meta.isNull()) {
      return;
    }
    if (!meta.isObject()) {
      throw typeError("metadata", "an object", meta);
    }
    for (String f : List.of("name", "generateName", "namespace", "resourceVersion", "uid")) {
      JsonNode v = meta.get(f);
      if (v != null && !v.isNull() && !v.isTextual()) {
        throw typeError("metadata." + f, "a string", v);
      }
    }
    for (String f : List.of("labels", "annotations")) {
      JsonNode m = meta.get(f);
      if (m == null || m.isNull()) {
        continue;
      }
      if (!m.isObject()) {
        throw typeError("metadata." + f, "an object of strings", m);
      }
      for (Map.Entry<String, JsonNode> e : m.properties()) {
        if (!e.getValue().isTextual() && !e.getValue().isNull()) {
          throw typeError("metadata." + f + "." + e.getKey(), "a string", e.getValue());
        }
      }
    }
    JsonNode fin = meta.get("finalizers");
    if (fin != null && !fin.isNull()) {
      if (!fin.isArray()) {
        throw typeError("metadata.finalizers", "an array of strings", fin);
      }
      fin.forEach(
          x -> {
            if (!x.isTextual()) {
              throw typeError("metadata.finalizers", "an array of strings", fin);
            }
          });
    }
    JsonNode owners = meta.get("ownerReferences");
    if (owners != null && !owners.isNull()) {
      if (!owners.isArray()) {
        throw typeError("metadata.ownerReferences", "an array of objects", owners);
      }
      owners.forEach(
          x -> {
            if (!x.isObject()) {
              throw typeError("metadata.ownerReferences", "an array of objects", owners);
            }
          });
    }
  }

  private static ApiException typeError(String field, String expected, JsonNode got) {
    return ApiException.badRequest(
        "the request body is invalid: "
            + field
            + " must be "
            + expected
            + ", not "
            + got.getNodeType().toString().toLowerCase());
  }

  /** Label and annotation errors (422), for create and every update. */
  static List<FieldError> validate(ObjectNode obj) {
    List<FieldError> errs = new ArrayList<>();
    JsonNode labels = Json.at(obj, "metadata", "labels");
    if (labels != null && labels.isObject()) {
      for (Map.Entry<String, JsonNode> e : labels.properties()) {
        qualifiedName("metadata.labels", e.getKey(), errs);
        String v = e.getValue().asText();
        if (v.length() > 63) {
          errs.add(FieldError.invalid("metadata.labels", v, "must be no more than 63 characters"));
        }
        if (!LABEL_VALUE_RE.matcher(v).matches()) {
          errs.add(
              FieldError.invalid(
                  "metadata.labels",
                  v,
                  "a valid label must be an empty string or consist of alphanumeric characters, '-',"
                      + " '_' or '.', and must start and end with an alphanumeric character (e.g."
                      + " 'MyValue',  or 'my_value',  or '12345', regex used for validation is '"
                      + LABEL_VALUE
                      + "')"));
        }
      }
    }
    JsonNode annotations = Json.at(obj, "metadata", "annotations");
    if (annotations != null && annotations.isObject()) {
      long total = 0;
      for (Map.Entry<String, JsonNode> e : annotations.properties()) {
        qualifiedName("metadata.annotations", e.getKey().toLowerCase(), errs);
        total +=
            e.getKey().getBytes(StandardCharsets.UTF_8).length
                + e.getValue().asText().getBytes(StandardCharsets.UTF_8).length;
      }
      if (total > MAX_ANNOTATIONS_BYTES) {
        errs.add(
            new FieldError(
                "metadata.annotations",
                "Too long",
                "FieldValueTooLong",
                null,
                "may not be more than " + MAX_ANNOTATIONS_BYTES + " bytes"));
      }
    }
    return errs;
  }

  /** A label or annotation key: [prefix/]name, as apimachinery's IsQualifiedName. */
  private static void qualifiedName(String field, String key, List<FieldError> errs) {
    String name = key;
    int slash = key.indexOf('/');
    if (slash >= 0) {
      String prefix = key.substring(0, slash);
      name = key.substring(slash + 1);
      if (prefix.isEmpty()) {
        errs.add(FieldError.invalid(field, key, "prefix part must be non-empty"));
      } else if (prefix.length() > 253) {
        errs.add(FieldError.invalid(field, key, "prefix part must be no more than 253 characters"));
      } else if (!SUBDOMAIN_RE.matcher(prefix).matches()) {
        errs.add(
            FieldError.invalid(
                field,
                key,
                "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric"
                    + " characters, '-' or '.', and must start and end with an alphanumeric"
                    + " character (e.g. 'example.com', regex used for validation is '"
                    + SUBDOMAIN
                    + "')"));
      }
    }
    if (name.isEmpty()) {
      errs.add(FieldError.invalid(field, key, "name part must be non-empty"));
    } else if (name.length() > 63) {
      errs.add(FieldError.invalid(field, key, "name part must be no more than 63 characters"));
    } else if (!NAME_PART_RE.matcher(name).matches() || name.contains("/")) {
      errs.add(
          FieldError.invalid(
              field,
              key,
              "name part must consist of alphanumeric characters, '-', '_' or '.', and must start"
                  + " and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or"
                  + " '123-abc', regex used for validation is '"
                  + NAME_PART
                  + "')"));
    }
  }
}
