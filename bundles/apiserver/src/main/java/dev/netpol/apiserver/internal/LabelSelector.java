package dev.netpol.apiserver.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A parsed label selector in the query-string syntax: {@code a=b, c==d, e!=f, g in (x,y), h notin
 * (z), i, !j}. All requirements must hold.
 */
public final class LabelSelector {
  private static final Pattern KEY =
      Pattern.compile(
          "([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");
  private static final Pattern VALUE =
      Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?");

  public enum Op {
    EQUALS,
    NOT_EQUALS,
    IN,
    NOT_IN,
    EXISTS,
    NOT_EXISTS
  }

  public record Requirement(String key, Op op, Set<String> values) {
    boolean matches(Map<String, String> labels) {
      String v = labels.get(key);
      return switch (op) {
        case EQUALS, IN -> v != null && values.contains(v);
        case NOT_EQUALS, NOT_IN -> v == null || !values.contains(v);
        case EXISTS -> v != null;
        case NOT_EXISTS -> v == null;
      };
    }
  }

  private final List<Requirement> requirements;

  private LabelSelector(List<Requirement> requirements) {
    this.requirements = requirements;
  }

  public static final LabelSelector EVERYTHING = new LabelSelector(List.of());

  public List<Requirement> requirements() {
    return requirements;
  }

  public boolean matches(Map<String, String> labels) {
    for (Requirement r : requirements) {
      if (!r.matches(labels)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Parses the selector; throws ApiException (400) on bad syntax. Null or blank selects everything.
   */
  public static LabelSelector parse(String s) {
    if (s == null || s.isBlank()) {
      return EVERYTHING;
    }
    List<Requirement> out = new ArrayList<>();
    for (String part : splitTopLevel(s)) {
      out.add(requirement(part.trim(), s));
    }
    return new LabelSelector(List.copyOf(out));
  }

  /** Splits on commas that are not inside parentheses. */
  static List<String> splitTopLevel(String s) {
    List<String> parts = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      } else if (c == ',' && depth == 0) {
        parts.add(s.substring(start, i));
        start = i + 1;
      }
    }
    parts.add(s.substring(start));
    return parts;
  }

  private static Requirement requirement(String p, String whole) {
    if (p.isEmpty()) {
      throw bad(whole, "empty requirement");
    }
    if (p.startsWith("!")) {
      return new Requirement(key(p.substring(1).trim(), whole), Op.NOT_EXISTS, Set.of());
    }
    String[] setOp = p.split("\\s+(?=(in|notin)\\s*\\()", 2);
    if (setOp.length == 2) {
      String rest = setOp[1].trim();
      Op op = rest.startsWith("notin") ? Op.NOT_IN : Op.IN;
      String list = rest.substring(op == Op.IN ? 2 : 5).trim();
      if (!list.startsWith("(") || !list.endsWith(")")) {
        throw bad(whole, "expected a parenthesized value list in '" + p + "'");
      }
      Set<String> values = new java.util.LinkedHashSet<>();
      for (String v : list.substring(1, list.length() - 1).split(",")) {
        values.add(value(v.trim(), whole));
      }
      return new Requirement(key(setOp[0].trim(), whole), op, Set.copyOf(values));
    }
    int idx;
    if ((idx = p.indexOf("!=")) >= 0) {
      return new Requirement(
          key(p.substring(0, idx).trim(), whole),
          Op.NOT_EQUALS,
          Set.of(value(p.substring(idx + 2).trim(), whole)));
    }
    if ((idx = p.indexOf("==")) >= 0) {
      return new Requirement(
          key(p.substring(0, idx).trim(), whole),
          Op.EQUALS,
          Set.of(value(p.substring(idx + 2).trim(), whole)));
    }
    if ((idx = p.indexOf('=')) >= 0) {
      return new Requirement(
          key(p.substring(0, idx).trim(), whole),
          Op.EQUALS,
          Set.of(value(p.substring(idx + 1).trim(), whole)));
    }
    return new Requirement(key(p, whole), Op.EXISTS, Set.of());
  }

  private static String key(String k, String whole) {
    if (!KEY.matcher(k).matches() || k.length() > 317) {
      throw bad(whole, "invalid label key \"" + k + "\"");
    }
    return k;
  }

  private static String value(String v, String whole) {
    if (!VALUE.matcher(v).matches() || v.length() > 63) {
      throw bad(whole, "invalid label value \"" + v + "\"");
    }
    return v;
  }

  private static ApiException bad(String whole, String why) {
    return ApiException.badRequest(
        "unable to parse requirement: " + why + " in label selector \"" + whole + "\"");
  }
}
