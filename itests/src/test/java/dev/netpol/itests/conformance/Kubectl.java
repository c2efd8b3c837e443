package dev.netpol.itests.conformance;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** kubectl against the node's kubeconfig; objects are passed as YAML or JSON on stdin. */
final class Kubectl {
  private final Path kubeconfig;

  Kubectl(Path kubeconfig) {
    this.kubeconfig = kubeconfig;
  }

  Sh.Result run(String... args) {
    return runWithInput(null, args);
  }

  Sh.Result runWithInput(String stdin, String... args) {
    List<String> cmd =
        new ArrayList<>(
            List.of("kubectl", "--kubeconfig", kubeconfig.toString(), "--request-timeout=20s"));
    cmd.addAll(List.of(args));
    return Sh.run(cmd, stdin, 30);
  }

  /** Objects as one multi-document YAML stream; a kind: List is not validated by every API. */
  static String documents(java.util.Collection<?> objects) {
    com.fasterxml.jackson.dataformat.yaml.YAMLMapper yaml =
        new com.fasterxml.jackson.dataformat.yaml.YAMLMapper();
    StringBuilder sb = new StringBuilder();
    for (Object o : objects) {
      try {
        sb.append(yaml.writeValueAsString(o));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalArgumentException(e);
      }
    }
    return sb.toString();
  }

  /** Runs and fails naming the command and kubectl's message when it does not succeed. */
  String ok(String stdin, String... args) {
    Sh.Result r = runWithInput(stdin, args);
    if (!r.ok()) {
      throw new IllegalStateException(
          "kubectl " + String.join(" ", args) + " failed: " + r.err().trim());
    }
    return r.out();
  }
}
