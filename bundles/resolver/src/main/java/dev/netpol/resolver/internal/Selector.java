package dev.netpol.resolver.internal;

import dev.netpol.api.model.ModelException;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A validated metav1.LabelSelector. An empty selector matches everything. */
public final class Selector {
  public static final Selector ALL = new Selector(Map.of(), List.of());

  private record Requirement(String key, String operator, Set<String> values) {
    boolean matches(Map<String, String> labels) {
      String v = labels.get(key);
      return switch (operator) {
        case "In" -> v != null && values.contains(v);
        case "NotIn" -> v == null || !values.contains(v);
        case "Exists" -> labels.containsKey(key);
        case "DoesNotExist" -> !labels.containsKey(key);
        default -> throw new IllegalStateException(operator);
      };
    }
  }

  private final Map<String, String> matchLabels;
  private final List<Requirement> requirements;

  private Selector(Map<String, String> matchLabels, List<Requirement> requirements) {
    this.matchLabels = matchLabels;
    this.requirements = requirements;
  }

  /** Validates {@code selector}; errors name {@code field}. {@code null} means match all. */
  public static Selector parse(LabelSelector selector, String field) {
    if (selector == null) {
      return ALL;
    }
    Map<String, String> labels =
        selector.getMatchLabels() == null ? Map.of() : Map.copyOf(selector.getMatchLabels());
    List<LabelSelectorRequirement> exprs =
        selector.getMatchExpressions() == null ? List.of() : selector.getMatchExpressions();
    java.util.ArrayList<Requirement> reqs = new java.util.ArrayList<>();
    for (int i = 0; i < exprs.size(); i++) {
      LabelSelectorRequirement r = exprs.get(i);
      String f = field + ".matchExpressions[" + i + "]";
      if (r.getKey() == null || r.getKey().isEmpty()) {
        throw new ModelException(f + ".key", "key is required");
      }
      List<String> values = r.getValues() == null ? List.of() : r.getValues();
      String op = r.getOperator();
      if ("In".equals(op) || "NotIn".equals(op)) {
        if (values.isEmpty()) {
          throw new ModelException(f + ".values", "must be non-empty for operator " + op);
        }
      } else if ("Exists".equals(op) || "DoesNotExist".equals(op)) {
        if (!values.isEmpty()) {
          throw new ModelException(f + ".values", "must be empty for operator " + op);
        }
      } else {
        throw new ModelException(
            f + ".operator", "unknown operator '" + op + "' (In, NotIn, Exists, DoesNotExist)");
      }
      reqs.add(new Requirement(r.getKey(), op, Set.copyOf(values)));
    }
    return new Selector(labels, List.copyOf(reqs));
  }

  /** The {@code matchLabels} part: every pod it selects carries all of these. */
  public Map<String, String> matchLabels() {
    return matchLabels;
  }

  /** True for the empty selector, which selects everything. */
  public boolean matchesAll() {
    return matchLabels.isEmpty() && requirements.isEmpty();
  }

  public boolean matches(Map<String, String> labels) {
    Map<String, String> l = labels == null ? Map.of() : labels;
    for (var e : matchLabels.entrySet()) {
      if (!e.getValue().equals(l.get(e.getKey()))) {
        return false;
      }
    }
    for (Requirement r : requirements) {
      if (!r.matches(l)) {
        return false;
      }
    }
    return true;
  }
}
