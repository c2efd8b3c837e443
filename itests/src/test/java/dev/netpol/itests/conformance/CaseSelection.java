package dev.netpol.itests.conformance;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which cases run, from -Dnetpol.conformance: "all" (the 48), "default" (what mvn verify runs),
 * "off", or case numbers and ranges such as "1,2,30-36".
 */
public final class CaseSelection {
  /** What the default build runs: every case (the suite fits the CI budget, see README). */
  static final String DEFAULT = "1-48";

  private CaseSelection() {}

  public static List<ConformanceCase> parse(String spec) {
    String s =
        spec == null || spec.isBlank() || spec.equals("default") || spec.startsWith("${")
            ? DEFAULT
            : spec.trim();
    if (s.equals("off") || s.equals("none")) {
      return List.of();
    }
    if (s.equals("all")) {
      return CaseCatalogue.all();
    }
    Set<Integer> numbers = new TreeSet<>();
    for (String part : s.split(",")) {
      String p = part.trim();
      try {
        if (p.contains("-")) {
          String[] r = p.split("-", 2);
          int a = Integer.parseInt(r[0].trim());
          int b = Integer.parseInt(r[1].trim());
          for (int i = a; i <= b; i++) {
            numbers.add(i);
          }
        } else {
          numbers.add(Integer.parseInt(p));
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "netpol.conformance='"
                + spec
                + "': '"
                + p
                + "' is not a case number or range; use all, default, off or e.g. 1,2,30-36",
            e);
      }
    }
    return numbers.stream().map(CaseCatalogue::byNumber).toList();
  }
}
