package dev.netpol.netfilter;

import dev.netpol.netfilter.process.Processes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Applies and reads back the chains and the ipsets of one owner, named by a prefix, in the filter
 * and the nat table.
 *
 * <p>Writes are whole transactions: one {@code iptables-restore --noflush} per table and family and
 * one {@code ipset restore} per call, never one process per rule, so the kernel switches from the
 * old to the new rules in one commit. {@code --noflush} keeps everything else in the table;
 * declaring one of our chains in the input flushes only that chain. A name without the prefix is
 * refused before anything runs, so this class cannot write what is not ours. The only foreign
 * objects touched are the table's built-in chains, and there only rules that jump to one of ours
 * ({@link Jump}, our hooks): inserted when {@link Saved#missing} says they are not there, removed
 * with {@link #removeAll}.
 */
public final class Netfilter {
  /** Longest chain name iptables accepts. */
  public static final int MAX_CHAIN_NAME = 28;

  /** Longest set name ipset accepts. */
  public static final int MAX_SET_NAME = 31;

  private final String prefix;
  private final Duration timeout;

  /**
   * @param prefix every chain and set name this instance writes starts with {@code prefix + "-"}
   */
  public Netfilter(String prefix, Duration timeout) {
    if (prefix == null || !prefix.matches("[A-Za-z][A-Za-z0-9_]{0,11}")) {
      throw new IllegalArgumentException(
          "netfilter prefix '"
              + prefix
              + "' must be 1-12 letters, digits or '_', starting with a letter");
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

  /**
   * A rule of ours in a built-in chain of the table ({@link Table#builtins()}): a hook that jumps
   * to one of our chains.
   */
  public record Jump(String builtin, String spec) {
    /** The chain it jumps to. */
    public String target() {
      return new SavedRule(builtin, spec, 0, 0, "").target();
    }
  }

  /**
   * One transaction on one table of one family.
   *
   * @param write chains (re)written whole: created if missing, flushed and refilled otherwise
   * @param delete chains flushed and deleted (after the rules that jumped to them are rewritten)
   * @param insert rules put at the top of a built-in chain
   * @param remove rules removed from a built-in chain (they must exist)
   */
  public record Ruleset(
      Table table,
      Family family,
      List<Chain> write,
      Set<String> delete,
      List<Jump> insert,
      List<Jump> remove) {
    public Ruleset {
      java.util.Objects.requireNonNull(table, "table");
      write = List.copyOf(write);
      delete = Set.copyOf(delete);
      insert = List.copyOf(insert);
      remove = List.copyOf(remove);
    }

    /** A transaction on the filter table. */
    public Ruleset(
        Family family,
        List<Chain> write,
        Set<String> delete,
        List<Jump> insert,
        List<Jump> remove) {
      this(Table.FILTER, family, write, delete, insert, remove);
    }

    public boolean isEmpty() {
      return write.isEmpty() && delete.isEmpty() && insert.isEmpty() && remove.isEmpty();
    }
  }

  /** The {@code iptables-restore} input of a transaction; refuses names that are not ours. */
  public String render(Ruleset r) {
    StringBuilder s = new StringBuilder("*").append(r.table().id()).append('\n');
    for (Chain c : r.write()) {
      checkChain(c.name());
      s.append(':').append(c.name()).append(" - [0:0]\n");
    }
    for (String d : r.delete()) {
      checkChain(d);
      s.append(':').append(d).append(" - [0:0]\n");
    }
    for (Jump j : r.remove()) {
      checkJump(r.table(), j);
      s.append("-D ").append(j.builtin()).append(' ').append(j.spec()).append('\n');
    }
    for (Chain c : r.write()) {
      for (String rule : c.rules()) {
        s.append("-A ").append(c.name()).append(' ').append(rule).append('\n');
      }
    }
    for (Jump j : r.insert()) {
      checkJump(r.table(), j);
      s.append("-I ").append(j.builtin()).append(" 1 ").append(j.spec()).append('\n');
    }
    for (String d : r.delete()) {
      s.append("-X ").append(d).append('\n');
    }
    return s.append("COMMIT\n").toString();
  }

  /**
   * Applies a transaction with one {@code iptables-restore --noflush} (the family's tool, as plain
   * {@code iptables} resolves it: one flavour, legacy or nf_tables, for every writer); all or
   * nothing.
   */
  public void apply(Ruleset r) {
    if (r.isEmpty()) {
      return;
    }
    Processes.check(
        List.of(r.family().tool() + "-restore", "--noflush", "-w", "5"), render(r), timeout);
  }

  /**
   * Our chains of one table with their rules, and the rules of built-in chains that jump to them
   * (our hooks).
   */
  public record Saved(Map<String, List<SavedRule>> chains, List<SavedRule> jumps) {
    /**
     * The hooks of {@code wanted} that are not there: a hook is there when its built-in chain has a
     * rule jumping to the same chain of ours. Inserting only these makes hooks idempotent.
     */
    public List<Jump> missing(List<Jump> wanted) {
      Set<String> present = new java.util.HashSet<>();
      for (SavedRule r : jumps) {
        present.add(r.chain() + " " + r.target());
      }
      return wanted.stream()
          .filter(j -> !present.contains(j.builtin() + " " + j.target()))
          .toList();
    }

    /** Every hook as saved, ready to be removed ({@link Ruleset#remove()}). */
    public List<Jump> hooks() {
      return jumps.stream().map(j -> new Jump(j.chain(), j.spec())).toList();
    }
  }

  /** Reads the filter table with counters ({@code iptables-save -c -t filter}). */
  public Saved save(Family f) {
    return save(f, Table.FILTER);
  }

  /** Reads one table with counters ({@code iptables-save -c -t TABLE}), keeping what is ours. */
  public Saved save(Family f, Table t) {
    return parseSave(
        Processes.check(List.of(f.tool() + "-save", "-c", "-t", t.id()), null, timeout), t);
  }

  /**
   * Removes every chain of ours from one table of one family, and our hooks in its built-in chains:
   * one save, then one restore.
   */
  public void removeAll(Family f, Table t) {
    Saved saved = save(f, t);
    apply(new Ruleset(t, f, List.of(), saved.chains().keySet(), List.of(), saved.hooks()));
  }

  /**
   * Destroys every set of ours: one save, one restore. The kernel refuses to destroy a set a rule
   * still references: the restore fails at that set (remove the chains first, {@link #removeAll}).
   */
  public void removeAllSets() {
    applySets(List.of(), List.of(), List.copyOf(sets().keySet()));
  }

  /** Parses {@code iptables-save -c} output of the filter table, keeping only what is ours. */
  public Saved parseSave(String text) {
    return parseSave(text, Table.FILTER);
  }

  /** Parses {@code iptables-save -c} output of one table, keeping only what is ours. */
  public Saved parseSave(String text, Table table) {
    Map<String, List<SavedRule>> chains = new LinkedHashMap<>();
    List<SavedRule> jumps = new ArrayList<>();
    boolean inTable = true;
    for (String line : text.split("\n")) {
      if (line.startsWith("*")) {
        inTable = line.substring(1).strip().equals(table.id());
        continue;
      }
      if (!inTable) {
        continue;
      }
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
      } else if (table.builtins().contains(chain) && owns(rule.target())) {
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

  /**
   * One {@code ipset restore} creating and filling sets the caller knows do not exist: no {@code
   * -exist} and no {@code flush} (a quarter less time than {@link #applySets} for thousands of
   * small sets). If one does exist after all, the restore fails at that set's {@code create} line
   * and leaves its members alone; the sets before it in the list exist then.
   */
  public void createAbsent(List<IpSet> sets) {
    String script = renderAbsent(sets);
    if (!script.isEmpty()) {
      Processes.check(List.of("ipset", "restore"), script, timeout);
    }
  }

  public String renderAbsent(List<IpSet> sets) {
    StringBuilder s = new StringBuilder();
    for (IpSet set : sets) {
      checkSet(set.name());
      header(s, set.name(), set);
      s.append('\n');
      fill(s, set.name(), set);
    }
    return s.toString();
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
    header(s, name, set);
    s.append(" -exist\n");
    s.append("flush ").append(name).append('\n');
  }

  private static void header(StringBuilder s, String name, IpSet set) {
    s.append("create ")
        .append(name)
        .append(" hash:net family ")
        .append(set.family().setFamily())
        .append(" hashsize ")
        .append(set.hashSize())
        .append(" maxelem ")
        .append(IpSet.MAX_ELEMENTS);
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

  private void checkJump(Table t, Jump j) {
    if (!t.builtins().contains(j.builtin())) {
      throw new IllegalArgumentException(
          "chain " + j.builtin() + " is not a built-in chain of the " + t.id() + " table");
    }
    if (!owns(j.target())) {
      throw new IllegalArgumentException(
          "rule '" + j.spec() + "' in " + j.builtin() + " must jump to one of our chains");
    }
  }
}
