package dev.netpol.apiserver.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** metadata.name checks shared by every kind, with the API server's messages. */
public final class NameRules {
  private static final String LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
  private static final String SUBDOMAIN = LABEL + "(\\." + LABEL + ")*";
  private static final Pattern LABEL_RE = Pattern.compile(LABEL);
  private static final Pattern SUBDOMAIN_RE = Pattern.compile(SUBDOMAIN);

  private NameRules() {}

  public static List<FieldError> validate(ResourceType type, ObjectNode obj) {
    List<FieldError> errs = new ArrayList<>();
    String name = Json.name(obj);
    if (name == null || name.isEmpty()) {
      errs.add(FieldError.required("metadata.name", "name or generateName is required"));
      return errs;
    }
    boolean labelOnly =
        type == ResourceRegistry.NAMESPACES
            || type.storageKey().equals(ResourceRegistry.SERVICES.storageKey());
    if (labelOnly) {
      if (name.length() > 63 || !LABEL_RE.matcher(name).matches()) {
        errs.add(
            FieldError.invalid(
                "metadata.name",
                name,
                "a lowercase RFC 1123 label must consist of lower case alphanumeric "
                    + "characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', "
                    + "regex used for validation is '"
                    + LABEL
                    + "')"));
      }
    } else if (name.length() > 253 || !SUBDOMAIN_RE.matcher(name).matches()) {
      errs.add(
          FieldError.invalid(
              "metadata.name",
              name,
              "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                  + "characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', "
                  + "regex used for validation is '"
                  + SUBDOMAIN
                  + "')"));
    }
    return errs;
  }
}
