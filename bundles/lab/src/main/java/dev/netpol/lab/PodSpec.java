package dev.netpol.lab;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What a lab pod should be: its namespace and name, labels, the ports it serves, whether it also
 * gets an IPv6 address, the node name written to {@code spec.nodeName} (null: the lab's default),
 * and whether a ClusterIP Service {@code s-<namespace>-<name>} selecting it is created.
 */
public record PodSpec(
    String namespace,
    String name,
    Map<String, String> labels,
    List<ServePort> serve,
    boolean ipv6,
    String nodeName,
    boolean service) {
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  public PodSpec {
    check("namespace", namespace);
    check("name", name);
    labels = Map.copyOf(new TreeMap<>(labels == null ? Map.of() : labels));
    serve = List.copyOf(serve == null ? List.of() : serve);
    if (serve.stream().distinct().count() != serve.size()) {
      throw new IllegalArgumentException(
          "pod " + namespace + "/" + name + ": serve lists a port twice: " + serve);
    }
  }

  private static void check(String field, String value) {
    if (value == null || !DNS_LABEL.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "pod "
              + field
              + " '"
              + value
              + "' is not a DNS label (lower case letters, digits, '-', at most 63)");
    }
  }

  /** {@code namespace/name}. */
  public String key() {
    return namespace + "/" + name;
  }
}
