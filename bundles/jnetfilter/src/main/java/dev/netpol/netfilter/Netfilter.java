package dev.netpol.netfilter;

import dev.netpol.netfilter.process.Processes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Applies and reads back the filter-table chains and the ipsets of one owner, named by a prefix.
 *
 * <p>Writes are whole transactions: one {@code iptables-restore --noflush} per family and one
 * {@code ipset restore} per call, never one process per rule, so the kernel switches from the old
 * to the new rules in one commit. {@code --noflush} keeps everything else in the table; declaring
 * one of our chains in the input flushes only that chain. A name without the prefix is refused
 * before anything runs, so this class cannot write what is not ours. The only foreign objects
 * touched are the built-in chains, and there only rules we insert ({@link Jump}).
 */
public final class Netfilter {
  /** Longest chain name iptables accepts. */
  public static final int MAX_CHAIN_NAME = 28;

  /** Longest set name ipset accepts. */
  public static final int MAX_SET_NAME = 31;

  private static final Set<String> BUILTIN = Set.of("INPUT", "FORWARD", "OUTPUT");

  private final String prefix;
  private final Duration timeout;

  /**
   * @param prefix every chain and set name this instance writes starts with {@code prefix + "-"}
   */
  public Netfilter(String prefix, Duration timeout) {
    if (prefix == null || !prefix.matches("[A-Za-z][A-Za-z0-9]{0,9}")) {
      throw new IllegalArgumentException(
          "netfilter prefix '"
              + prefix
              + "' must be 1-10 letters or digits, starting with a letter");
    }
    this.prefix = prefix;
    this.timeout = timeout;
  }

  public String prefix() {
    return prefix;
  }

  /** Whether a chain or set name is ours. */
  public boolean owns(String name) {
    return name.startsWith(prefix + "-");
  }

  /** A rule of ours in a built-in chain ({@code INPUT}, {@code FORWARD}, {@code OUTPUT}). */
  public record Jump(String builtin, String spec) {}

  /**
   * One transaction on the filter table of one family.
   *
   * @param write chains (re)written whole: created if missing, flushed and refilled otherwise
   * @param delete chains flushed and deleted (after the rules that jumped to them are rewritten)
   * @param insert rules put at the top of a built-in chain
   * @param remove rules removed from a built-in chain (they must exist)
   */
  public record Ruleset(
      Family family, List<Chain> write, Set<String> delete, List<Jump> insert, List<Jump> remove) {
    public Ruleset {
      write = List.copyOf(write);
      delete = Set.copyOf(delete);
      insert = List.copyOf(insert);
      remove = List.copyOf(remove);
    }

    public boolean isEmpty() {
      return write.isEmpty() && delete.isEmpty() && insert.isEmpty() && remove.isEmpty();
    }
  }

  /** The {@code iptables-restore} input of a transaction; refuses names that are not ours. */
  public String render(Ruleset r) {
    StringBuilder s = new StringBuilder("*filter\n");
    for (Chain c : r.write()) {
      checkChain(c.name());
      s.append(':').append(c.name()).append(" - [0:0]\n");
    }
    for (String d : r.delete()) {
      checkChain(d);
      s.append(':').append(d).append(" - [0:0]\n");
    }
    for (Jump j : r.remove()) {
      checkJump(j);
      s.append("-D ").append(j.builtin()).append(' ').append(j.spec()).append('\n');
    }
    for (Chain c : r.write()) {
      for (String rule : c.rules()) {
        s.append("-A ").append(c.name()).append(' ').append(rule).append('\n');
      }
    }
    for (Jump j : r.insert()) {
      checkJump(j);
      s.append("-I ").append(j.builtin()).append(" 1 ").append(j.spec()).append('\n');
    }
    for (String d : r.delete()) {
      s.append("-X ").append(d).append('\n');
    }
    return s.append("COMMIT\n").toString();
  }

  /** Applies a transaction with one {@code iptables-restore --noflush}; all or nothing. */
  public void apply(Ruleset r) {
    if (r.isEmpty()) {
      return;
    }
    Processes.check(
        List.of(r.family().tool() + "-restore", "--noflush", "-w", "5"), render(r), timeout);
  }

  /** Our chains of the filter table, and the rules of built-in chains that jump to them. */
  public record Saved(Map<String, List<SavedRule>> chains, List<SavedRule> jumps) {}

  /** Reads the filter table with counters ({@code iptables-save -c -t filter}). */
  public Saved save(Family f) {
    return parseSave(
        Processes.check(List.of(f.tool() + "-save", "-c", "-t", "filter"), null, timeout));
  }

  /** Parses {@code iptables-save -c} output, keeping only what is ours. */
  public Saved parseSave(String text) {
    Map<String, List<SavedRule>> chains = new LinkedHashMap<>();
    List<SavedRule> jumps = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.startsWith(":")) {
        String name = line.substring(1, line.indexOf(' ') < 0 ? line.length() : line.indexOf(' '));
        if (owns(name)) {
          chains.put(name, new ArrayList<>());
        }
        continue;
      }
      long packets = 0;
      long bytes = 0;
      String rest = line;
      if (line.startsWith("[")) {
        int close = line.indexOf(']');
        String[] pb = line.substring(1, close).split(":");
        packets = Long.parseLong(pb[0]);
        bytes = Long.parseLong(pb[1]);
        rest = line.substring(close + 1).strip();
      }
      if (!rest.startsWith("-A ")) {
        continue;
      }
      int sp = rest.indexOf(' ', 3);
      String chain = rest.substring(3, sp < 0 ? rest.length() : sp);
      String spec = sp < 0 ? "" : rest.substring(sp + 1);
      SavedRule rule = new SavedRule(chain, spec, packets, bytes, comment(spec));
      if (owns(chain)) {
        chains.computeIfAbsent(chain, k -> new ArrayList<>()).add(rule);
      } else if (BUILTIN.contains(chain) && owns(rule.target())) {
        jumps.add(rule);
      }
    }
    return new Saved(chains, jumps);
  }

  /**
   * One {@code ipset restore}: {@code fresh} sets are created (or emptied) and filled, {@code
   * replace} sets are filled as a temporary set and swapped in ({@code ipset swap}: a packet sees
   * the old or the new members, never a half-written set), {@code destroy} sets are destroyed.
   */
  public void applySets(List<IpSet> fresh, List<IpSet> replace, List<String> destroy) {
    String script = renderSets(fresh, replace, destroy);
    if (!script.isEmpty()) {
      Processes.check(List.of("ipset", "restore"), script, timeout);
    }
  }

  public String renderSets(List<IpSet> fresh, List<IpSet> replace, List<String> destroy) {
    StringBuilder s = new StringBuilder();
    for (IpSet set : fresh) {
      checkSet(set.name());
      create(s, set.name(), set);
      fill(s, set.name(), set);
    }
    for (IpSet set : replace) {
      String tmp = set.name() + "t";
      checkSet(set.name());
      checkSet(tmp);
      create(s, set.name(), set);
      create(s, tmp, set);
      fill(s, tmp, set);
      s.append("swap ").append(tmp).append(' ').append(set.name()).append('\n');
      s.append("destroy ").append(tmp).append('\n');
    }
    for (String d : destroy) {
      checkSet(d);
      s.append("destroy ").append(d).append('\n');
    }
    return s.toString();
  }

  private static void create(StringBuilder s, String name, IpSet set) {
    s.append("create ")
        .append(name)
        .append(" hash:net family ")
        .append(set.family().setFamily())
        .append(" maxelem ")
        .append(IpSet.MAX_ELEMENTS)
        .append(" -exist\n");
    s.append("flush ").append(name).append('\n');
  }

  private static void fill(StringBuilder s, String name, IpSet set) {
    for (IpSet.Member m : set.members()) {
      s.append("add ").append(name).append(' ').append(m).append('\n');
    }
  }

  /** Our sets with their members ({@code ipset save}). */
  public Map<String, IpSet> sets() {
    return parseSets(Processes.check(List.of("ipset", "save"), null, timeout));
  }

  public Map<String, IpSet> parseSets(String text) {
    Map<String, Family> families = new LinkedHashMap<>();
    Map<String, List<IpSet.Member>> members = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      String[] w = line.strip().split("\\s+");
      if (w.length < 3 || !owns(w[1])) {
        continue;
      }
      if (w[0].equals("create")) {
        families.put(w[1], line.contains("family inet6") ? Family.V6 : Family.V4);
        members.put(w[1], new ArrayList<>());
      } else if (w[0].equals("add") && members.containsKey(w[1])) {
        members.get(w[1]).add(new IpSet.Member(w[2], line.contains(" nomatch")));
      }
    }
    Map<String, IpSet> out = new LinkedHashMap<>();
    families.forEach((n, f) -> out.put(n, new IpSet(n, f, members.get(n))));
    return out;
  }

  /** The text of {@code --comment}, unquoted; empty if the rule has none. */
  static String comment(String spec) {
    int i = spec.indexOf("--comment ");
    if (i < 0) {
      return "";
    }
    String rest = spec.substring(i + 10);
    if (rest.startsWith("\"")) {
      StringBuilder b = new StringBuilder();
      for (int k = 1; k < rest.length(); k++) {
        char c = rest.charAt(k);
        if (c == '\\' && k + 1 < rest.length()) {
          b.append(rest.charAt(++k));
        } else if (c == '"') {
          break;
        } else {
          b.append(c);
        }
      }
      return b.toString();
    }
    int sp = rest.indexOf(' ');
    return sp < 0 ? rest : rest.substring(0, sp);
  }

  private void checkChain(String name) {
    if (!owns(name) || name.length() > MAX_CHAIN_NAME) {
      throw new IllegalArgumentException(
          "chain '" + name + "' is not ours (prefix " + prefix + "-) or longer than 28");
    }
  }

  private void checkSet(String name) {
    if (!owns(name) || name.length() > MAX_SET_NAME) {
      throw new IllegalArgumentException(
          "set '" + name + "' is not ours (prefix " + prefix + "-) or longer than 31");
    }
  }

  private void checkJump(Jump j) {
    if (!BUILTIN.contains(j.builtin())
        || !owns(new SavedRule(j.builtin(), j.spec(), 0, 0, "").target())) {
      throw new IllegalArgumentException(
          "rule '" + j.spec() + "' in " + j.builtin() + " must jump to one of our chains");
    }
  }
}
