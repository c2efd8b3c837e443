package dev.netpol.backend.ebpf.internal.rules;

import dev.netpol.api.model.Cidr;
import dev.netpol.api.model.DirectionPolicy;
import dev.netpol.api.model.Peer;
import dev.netpol.api.model.PortRange;
import dev.netpol.api.model.Protocol;
import dev.netpol.api.model.Rule;
import dev.netpol.backend.ebpf.internal.abi.Abi;
import dev.netpol.backend.ebpf.internal.abi.RuleKey;
import dev.netpol.backend.ebpf.internal.abi.RuleValue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compiles one direction of a pod's policy into the entries of its LPM trie (see bpf/README.md).
 *
 * <p>For every prefix P among all peer CIDRs and excepts, the rules that apply to every address
 * whose longest match is P are those with a peer whose CIDR contains P and none of whose excepts
 * contains P. Their ports are unioned into a {@link PortSet}; equal sets share a class id. P
 * becomes an ADDR key pointing at its class, and each class becomes PORT keys (ranges split into
 * aligned blocks). The datapath then needs one ADDR and at most one PORT lookup per new flow, and
 * an except only ever narrows its own rule.
 */
public final class RuleCompiler {
  /** Above this a pod's trie would take gigabytes; refuse loudly instead of truncating. */
  public static final int MAX_ENTRIES = 4_000_000;

  /** The trie content plus, per class, the policies whose rules it came from (for flow logs). */
  public record Compiled(
      List<Map.Entry<RuleKey, RuleValue>> entries, Map<Integer, Set<String>> classOrigins) {
    public int size() {
      return entries.size();
    }
  }

  private record PeerRef(Peer peer, List<Prefix> except, int rule) {}

  private RuleCompiler() {}

  /** Compiles into the ingress part of a trie. */
  public static Compiled compile(DirectionPolicy policy, int generation, String what) {
    return compile(policy, Abi.DIR_INGRESS, generation, what);
  }

  /** Compiles one direction ({@link Abi#DIR_INGRESS} or egress) of a pod's trie. */
  public static Compiled compile(DirectionPolicy policy, int dir, int generation, String what) {
    List<Map.Entry<RuleKey, RuleValue>> out = new ArrayList<>();
    // isolated without rules (strict mode before policies are known, or a deny-all policy)
    // is DEFAULT_DENY: same verdicts as an empty POLICIES_APPLIED, clearer in events and dumps
    int state =
        !policy.isolated()
            ? Abi.STATE_DEFAULT_ALLOW
            : policy.rules().isEmpty() ? Abi.STATE_DEFAULT_DENY : Abi.STATE_POLICIES_APPLIED;
    out.add(Map.entry(RuleKey.meta().in(dir), new RuleValue(0, 0, state, generation)));
    Map<Integer, Set<String>> origins = new HashMap<>();
    if (!policy.isolated()) {
      return new Compiled(out, origins);
    }
    List<Rule> rules = policy.rules();
    Map<Prefix, List<PeerRef>> byCidr = new HashMap<>();
    Set<Prefix> keys = new LinkedHashSet<>();
    for (int r = 0; r < rules.size(); r++) {
      for (Peer p : rules.get(r).peers()) {
        List<Prefix> ex = p.except().stream().map(Prefix::of).toList();
        Prefix c = Prefix.of(p.cidr());
        byCidr.computeIfAbsent(c, k -> new ArrayList<>()).add(new PeerRef(p, ex, r));
        keys.add(c);
        keys.addAll(ex);
      }
    }
    Map<PortSet, Integer> classes = new LinkedHashMap<>();
    for (Prefix key : keys) {
      Set<Integer> applicable = new LinkedHashSet<>();
      for (int len = 0; len <= key.len(); len++) {
        List<PeerRef> refs = byCidr.get(key.truncate(len));
        if (refs == null) {
          continue;
        }
        for (PeerRef ref : refs) {
          if (ref.except().stream().noneMatch(e -> e.contains(key))) {
            applicable.add(ref.rule());
          }
        }
      }
      List<List<PortRange>> portLists = applicable.stream().map(i -> rules.get(i).ports()).toList();
      PortSet set = applicable.isEmpty() ? PortSet.NONE : PortSet.union(portLists);
      int cls = 0;
      if (!set.isEmpty()) {
        cls = classes.computeIfAbsent(set, s -> classes.size() + 1);
        Set<String> o = origins.computeIfAbsent(cls, c -> new LinkedHashSet<>());
        applicable.forEach(i -> o.add(rules.get(i).origin()));
      }
      int flags = set.allTraffic() ? Abi.ADDR_ALL_TRAFFIC : 0;
      out.add(
          Map.entry(RuleKey.addr(key.bytes(), key.len()).in(dir), new RuleValue(cls, flags, 0, 0)));
    }
    classes.forEach(
        (set, cls) -> {
          for (Map.Entry<Protocol, List<List<Integer>>> e : set.ports().entrySet()) {
            for (List<Integer> range : e.getValue()) {
              for (PortBlocks.Block b : PortBlocks.of(range.get(0), range.get(1))) {
                out.add(
                    Map.entry(
                        RuleKey.port(cls, e.getKey().number(), b.first(), b.bits()).in(dir),
                        new RuleValue(cls, 0, 0, 0)));
              }
            }
          }
          if (out.size() > MAX_ENTRIES) {
            throw new IllegalArgumentException(
                what + ": policy needs more than " + MAX_ENTRIES + " trie entries");
          }
        });
    return new Compiled(out, origins);
  }

  /** Reference check used by tests: does the compiled trie allow this packet? */
  public static boolean allows(Compiled c, Cidr peerHost, int proto, int port) {
    RuleValue meta = c.entries().get(0).getValue();
    if (meta.state() == Abi.STATE_DEFAULT_ALLOW) {
      return true;
    }
    if (meta.state() != Abi.STATE_POLICIES_APPLIED) {
      return false;
    }
    Prefix host = Prefix.of(peerHost);
    RuleValue best = null;
    int bestLen = -1;
    for (Map.Entry<RuleKey, RuleValue> e : c.entries()) {
      RuleKey k = e.getKey();
      int len = k.prefixLen() - Abi.KEY_FIXED_BITS;
      if (k.kind() == Abi.KEY_ADDR
          && k.tag() == host.family()
          && len > bestLen
          && Prefix.of(
                  Cidr.parse(
                      dev.netpol.backend.ebpf.internal.abi.Addresses.format(k.tag(), k.addr())
                          + "/"
                          + len))
              .contains(host)) {
        best = e.getValue();
        bestLen = len;
      }
    }
    if (best == null) {
      return false;
    }
    if ((best.flags() & Abi.ADDR_ALL_TRAFFIC) != 0) {
      return true;
    }
    for (Map.Entry<RuleKey, RuleValue> e : c.entries()) {
      RuleKey k = e.getKey();
      if (k.kind() == Abi.KEY_PORT && k.classId() == best.classId() && k.tag() == proto) {
        PortBlocks.Block b = new PortBlocks.Block(k.port(), k.prefixLen() - Abi.KEY_FIXED_BITS);
        if (port >= b.first() && port <= b.last()) {
          return true;
        }
      }
    }
    return false;
  }
}
