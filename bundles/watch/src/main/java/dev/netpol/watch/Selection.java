package dev.netpol.watch;

import java.util.Map;
import java.util.TreeMap;

/** Which objects of a type an informer holds: a label selector and exact field matches. */
public record Selection(String labelSelector, Map<String, String> fields) {
  public static final Selection ALL = new Selection(null, Map.of());

  public Selection {
    fields = Map.copyOf(new TreeMap<>(fields == null ? Map.of() : fields));
  }

  public static Selection labels(String selector) {
    return new Selection(selector, Map.of());
  }

  public static Selection field(String field, String value) {
    return new Selection(null, Map.of(field, value));
  }
}
