package dev.netpol.launcher;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Options of container commands. Each known {@code --flag VALUE} becomes a framework property;
 * {@code --set key=value} sets any property.
 */
final class Options {
  static final Map<String, String> FLAGS = new LinkedHashMap<>();

  static {
    FLAGS.put("--data-dir", "netpol.data.dir");
    FLAGS.put("--node-name", "netpol.node.name");
    FLAGS.put("--backend", "netpol.backend");
    FLAGS.put("--kubeconfig", "netpol.kubeconfig");
    FLAGS.put("--mode", "netpol.mode");
    FLAGS.put("--api-port", "netpol.api.port");
    FLAGS.put("--bpffs-root", "netpol.bpffs.root");
  }

  final Map<String, String> properties = new LinkedHashMap<>();
  final List<String> rest = new ArrayList<>();
  boolean help;
  boolean once;
  boolean verbose;

  static Options parse(List<String> args) {
    Options o = new Options();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      String value = null;
      String flag = a;
      int eq = a.indexOf('=');
      if (a.startsWith("--") && eq > 0) {
        flag = a.substring(0, eq);
        value = a.substring(eq + 1);
      }
      if (a.equals("--help") || a.equals("-h")) {
        o.help = true;
      } else if (a.equals("--once")) {
        o.once = true;
      } else if (a.equals("--verbose") || a.equals("-v")) {
        o.verbose = true;
      } else if (FLAGS.containsKey(flag) || flag.equals("--set")) {
        if (value == null) {
          if (i + 1 >= args.size()) {
            throw new IllegalArgumentException(flag + " needs a value");
          }
          value = args.get(++i);
        }
        if (flag.equals("--set")) {
          int e = value.indexOf('=');
          if (e <= 0) {
            throw new IllegalArgumentException("--set needs key=value, got '" + value + "'");
          }
          o.properties.put(value.substring(0, e), value.substring(e + 1));
        } else {
          o.properties.put(FLAGS.get(flag), value);
        }
      } else if (a.startsWith("-")) {
        throw new IllegalArgumentException("unknown option " + a);
      } else {
        o.rest.add(a);
      }
    }
    return o;
  }
}
