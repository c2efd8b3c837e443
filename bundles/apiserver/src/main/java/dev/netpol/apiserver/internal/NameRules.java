package dev.netpol.apiserver.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * metadata.name checks, with the API server's rules and messages: a DNS-1035 label for Services, an
 * RFC 1123 label for Namespaces, an RFC 1123 subdomain for every other kind.
 */
public final class NameRules {
  private static final String LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
  private static final String SUBDOMAIN = LABEL + "(\\." + LABEL + ")*";
  private static final Pattern LABEL_RE = Pattern.compile(LABEL);
  private static final Pattern SUBDOMAIN_RE = Pattern.compile(SUBDOMAIN);
  private static final String DNS1035 = "[a-z]([-a-z0-9]*[a-z0-9])?";
  private static final Pattern DNS1035_RE = Pattern.compile(DNS1035);

  private NameRules() {}

  public static List<FieldError> validate(ResourceType type, ObjectNode obj) {
    List<FieldError> errs = new ArrayList<>();
    String name = Json.name(obj);
    if (name == null || name.isEmpty()) {
      errs.add(FieldError.required("metadata.name", "name or generateName is required"));
      return errs;
    }
    if (type.storageKey().equals(ResourceRegistry.SERVICES.storageKey())) {
      if (name.length() > 63) {
        errs.add(FieldError.invalid("metadata.name", name, "must be no more than 63 characters"));
      } else if (!DNS1035_RE.matcher(name).matches()) {
        errs.add(
            FieldError.invalid(
                "metadata.name",
                name,
                "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start"
                    + " with an alphabetic character, and end with an alphanumeric character (e.g."
                    + " 'my-name',  or 'abc-123', regex used for validation is '"
                    + DNS1035
                    + "')"));
      }
    } else if (type == ResourceRegistry.NAMESPACES) {
      if (name.length() > 63) {
        errs.add(FieldError.invalid("metadata.name", name, "must be no more than 63 characters"));
      } else if (!LABEL_RE.matcher(name).matches()) {
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
    } else if (name.length() > 253) {
      errs.add(FieldError.invalid("metadata.name", name, "must be no more than 253 characters"));
    } else if (!SUBDOMAIN_RE.matcher(name).matches()) {
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
