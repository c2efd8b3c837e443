package dev.netpol.itests.conformance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A label selector (matchLabels and matchExpressions); empty selects everything. */
public record Selector(Map<String, String> matchLabels, List<Expression> matchExpressions) {
  /** One matchExpressions entry: key, operator (In, NotIn, Exists, DoesNotExist) and values. */
  public record Expression(String key, String operator, List<String> values) {}

  public static Selector empty() {
    return new Selector(Map.of(), List.of());
  }

  public static Selector labels(String... keyValues) {
    if (keyValues.length % 2 != 0) {
      throw new IllegalArgumentException(
          "labels: expected key/value pairs, got " + keyValues.length + " strings");
    }
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      m.put(keyValues[i], keyValues[i + 1]);
    }
    return new Selector(m, List.of());
  }

  public static Selector expression(String key, String operator, String... values) {
    return new Selector(Map.of(), List.of(new Expression(key, operator, List.of(values))));
  }

  /** Wire form; like Go's omitempty, empty parts are left out, so empty() is {}. */
  Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    if (!matchLabels.isEmpty()) {
      m.put("matchLabels", new LinkedHashMap<>(matchLabels));
    }
    if (!matchExpressions.isEmpty()) {
      List<Object> exprs = new ArrayList<>();
      for (Expression e : matchExpressions) {
        Map<String, Object> x = new LinkedHashMap<>();
        x.put("key", e.key());
        x.put("operator", e.operator());
        if (!e.values().isEmpty()) {
          x.put("values", e.values());
        }
        exprs.add(x);
      }
      m.put("matchExpressions", exprs);
    }
    return m;
  }
}
