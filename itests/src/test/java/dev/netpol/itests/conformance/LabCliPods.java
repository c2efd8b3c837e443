package dev.netpol.itests.conformance;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The product's own lab pods: {@code bin/netpol lab up --namespaces ... --pods a,b,c --serve ...}
 * makes the network namespaces, servers and Pod objects; {@code lab list} tells where they are;
 * {@code lab down} removes them. Pools: 198.19.236.0/24 and fd00:198:18:236::/64.
 */
final class LabCliPods implements PodSource {
  private final Path netpol;
  private final Path kubeconfig;
  private final Path dataDir;
  private final String nodeName;

  LabCliPods(Path dist, Path kubeconfig, Path dataDir, String nodeName) {
    this.netpol = dist.resolve("bin/netpol");
    this.kubeconfig = kubeconfig;
    this.dataDir = dataDir;
    this.nodeName = nodeName;
  }

  private Sh.Result lab(String... args) {
    List<String> cmd = new ArrayList<>(List.of(netpol.toString(), "lab"));
    cmd.addAll(List.of(args));
    if (!cmd.contains("--no-api")) {
      cmd.addAll(List.of("--kubeconfig", kubeconfig.toString()));
    }
    cmd.addAll(
        List.of(
            "--data-dir",
            dataDir.toString(),
            "--pool4",
            PodFabric.NET4,
            "--pool6",
            PodFabric.NET6,
            "--node-name",
            nodeName));
    return Sh.run(cmd, null, 180);
  }

  @Override
  public Map<PodRef, PodHandle> create(Map<String, String> realNs, boolean ipv6) {
    List<String> serve = new ArrayList<>();
    for (int port : LabCluster.PORTS) {
      for (Protocol p : Protocol.values()) {
        serve.add(port + "/" + p.lower());
      }
    }
    List<String> args =
        new ArrayList<>(
            List.of(
                "up",
                "--namespaces",
                String.join(",", realNs.values()),
                "--pods",
                String.join(",", PodRef.PODS),
                "--serve",
                String.join(",", serve)));
    if (ipv6) {
      args.add("--ipv6");
    }
    Sh.Result up = lab(args.toArray(String[]::new));
    if (!up.ok()) {
      throw new IllegalStateException(
          "netpol lab up exited " + up.code() + ": " + up.err().trim() + " " + up.out().trim());
    }
    Sh.Result list = lab("list");
    Map<String, String> logical = new LinkedHashMap<>();
    realNs.forEach((l, r) -> logical.put(r, l));
    Map<PodRef, PodHandle> out = new LinkedHashMap<>();
    for (String line : list.out().split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length < 5 || f[0].equals("POD") || !f[0].contains("/")) {
        continue;
      }
      String[] nn = f[0].split("/");
      if (logical.containsKey(nn[0])) {
        out.put(
            new PodRef(logical.get(nn[0]), nn[1]),
            new PodHandle(f[1], f[2], f[3], f[4].equals("-") ? null : f[4]));
      }
    }
    if (out.size() != PodRef.ALL.size()) {
      throw new IllegalStateException(
          "netpol lab list shows " + out.size() + " of the 9 pods: " + list.out());
    }
    return out;
  }

  @Override
  public boolean serversIncluded() {
    return true;
  }

  /** lab down; if the API is gone (the node died), at least the kernel side. */
  @Override
  public void close() {
    if (!lab("down").ok()) {
      lab("down", "--no-api");
    }
  }
}
