package dev.netpol.lab.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Command-line words split into positionals, {@code --option VALUE} and {@code --flag}s. */
final class Args {
  final List<String> positional = new ArrayList<>();
  final Map<String, String> options = new HashMap<>();
  final Set<String> flags = new java.util.HashSet<>();

  /** {@code valued} lists the options that take a value; any other {@code --x} is a flag. */
  static Args parse(List<String> words, Set<String> valued, Set<String> knownFlags) {
    Args a = new Args();
    for (int i = 0; i < words.size(); i++) {
      String w = words.get(i);
      if (w.startsWith("--") && w.contains("=")) {
        String k = w.substring(0, w.indexOf('='));
        if (!valued.contains(k)) {
          throw new IllegalArgumentException("unknown option " + k);
        }
        a.options.put(k, w.substring(w.indexOf('=') + 1));
      } else if (valued.contains(w)) {
        if (i + 1 >= words.size()) {
          throw new IllegalArgumentException("option " + w + " needs a value");
        }
        a.options.put(w, words.get(++i));
      } else if (w.equals("-h") || w.equals("--help") || knownFlags.contains(w)) {
        a.flags.add(w.equals("-h") ? "--help" : w);
      } else if (w.startsWith("--")) {
        throw new IllegalArgumentException("unknown option " + w);
      } else {
        a.positional.add(w);
      }
    }
    return a;
  }

  boolean help() {
    return flags.contains("--help");
  }

  String get(String key, String def) {
    return options.getOrDefault(key, def);
  }
}
