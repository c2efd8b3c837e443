package dev.netpol.apiserver.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A field selector ({@code metadata.name=x,spec.nodeName!=y}). Any dotted path of the object works,
 * which is more than the real server allows; a missing field compares as the empty string.
 */
public final class FieldSelector {
  private record Term(String[] path, String value, boolean equal) {}

  private final List<Term> terms;

  private FieldSelector(List<Term> terms) {
    this.terms = terms;
  }

  public static final FieldSelector EVERYTHING = new FieldSelector(List.of());

  public static FieldSelector parse(String s) {
    if (s == null || s.isBlank()) {
      return EVERYTHING;
    }
    List<Term> terms = new ArrayList<>();
    for (String part : s.split(",")) {
      String p = part.trim();
      int idx;
      boolean equal;
      int opLen;
      if ((idx = p.indexOf("!=")) >= 0) {
        equal = false;
        opLen = 2;
      } else if ((idx = p.indexOf("==")) >= 0) {
        equal = true;
        opLen = 2;
      } else if ((idx = p.indexOf('=')) >= 0) {
        equal = true;
        opLen = 1;
      } else {
        throw ApiException.badRequest(
            "invalid field selector \"" + s + "\": '" + p + "' is not a field=value term");
      }
      String field = p.substring(0, idx).trim();
      if (field.isEmpty()) {
        throw ApiException.badRequest("invalid field selector \"" + s + "\": empty field name");
      }
      terms.add(new Term(field.split("\\."), p.substring(idx + opLen).trim(), equal));
    }
    return new FieldSelector(List.copyOf(terms));
  }

  public boolean matches(JsonNode obj) {
    for (Term t : terms) {
      String v = Json.text(obj, t.path());
      if (v == null) {
        v = "";
      }
      if (v.equals(t.value()) != t.equal()) {
        return false;
      }
    }
    return true;
  }
}
