package dev.netpol.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * State survives a restart of the server on the same data directory; the resourceVersion counter
 * continues.
 */
class PersistenceTest {
  @TempDir Path dir;

  @Test
  void objectsAndCrdsSurviveARestart() throws Exception {
    assumeTrue(Files.isExecutable(Kubectl.BINARY), "kubectl is not installed");
    Path data = dir.resolve("data");
    Path kubeconfig = dir.resolve("kubeconfig");
    Kubectl k = new Kubectl(kubeconfig, dir);
    String rvBefore;
    try (EmbeddedApiServer first = new EmbeddedApiServer()) {
      first.start("127.0.0.1", 0, data);
      first.writeKubeconfig(kubeconfig);
      k.apply(KubectlTest.ns("keep")).ok();
      k.apply(Crds.POLICY_ENDPOINT).ok();
      k.apply(
              "apiVersion: policy.netpol.dev/v1alpha1\nkind: PolicyEndpoint\nmetadata:\n  name: pe\n  namespace: keep\nspec: {a: 1}\n")
          .ok();
      k.apply(KubectlTest.netpol("keep", "np", "", "  podSelector: {}\n")).ok();
      rvBefore =
          k.run("get", "netpol", "-n", "keep", "np", "-o", "jsonpath={.metadata.resourceVersion}")
              .ok()
              .out();
    }
    assertTrue(Files.exists(data.resolve("apiserver-state.json")));
    assertFalse(Files.exists(data.resolve("apiserver-state.json.tmp")), "no temp file left behind");

    try (EmbeddedApiServer second = new EmbeddedApiServer()) {
      second.start("127.0.0.1", 0, data);
      second.writeKubeconfig(kubeconfig); // a new port
      assertEquals(
          rvBefore,
          k.run("get", "netpol", "-n", "keep", "np", "-o", "jsonpath={.metadata.resourceVersion}")
              .ok()
              .out());
      assertEquals(
          "1",
          k.run("get", "pe", "-n", "keep", "pe", "-o", "jsonpath={.spec.a}").ok().out(),
          "the CRD is served again");
      assertEquals(
          "keep",
          k.run(
                  "get",
                  "ns",
                  "keep",
                  "-o",
                  "jsonpath={.metadata.labels.kubernetes\\.io/metadata\\.name}")
              .ok()
              .out());
      k.run("label", "netpol", "-n", "keep", "np", "after=restart").ok();
      String rvAfter =
          k.run("get", "netpol", "-n", "keep", "np", "-o", "jsonpath={.metadata.resourceVersion}")
              .ok()
              .out();
      assertTrue(
          Long.parseLong(rvAfter) > Long.parseLong(rvBefore), rvAfter + " after " + rvBefore);
      Kubectl.Result r = k.run(Map.of(), null, "get", "namespaces", "-o", "name");
      assertTrue(r.ok().out().contains("namespace/default"));
    }
  }
}
