package dev.netpol.netfilter;

import java.util.List;

/**
 * One of our chains with its complete rule list, each rule an iptables rule spec without {@code -A
 * CHAIN} (e.g. {@code -m set --match-set S src -p tcp --dport 80 -j RETURN}).
 */
public record Chain(String name, List<String> rules) {
  public Chain {
    rules = List.copyOf(rules);
    for (String r : rules) {
      if (r.indexOf('\n') >= 0 || r.indexOf('\r') >= 0) {
        throw new IllegalArgumentException("chain " + name + ": a rule spans lines: " + r);
      }
    }
  }
}
