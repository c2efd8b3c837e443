package dev.netpol.itests.e2e;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Controller fail-over, driven as a user would: {@code netpol standalone} (API, agent and its own
 * controller) and two {@code netpol controller} processes against its API, all candidates on the
 * Lease kube-system/netpol-controller with the default timings (10 s lease, 1 s retry). The
 * standalone leads first; the lease is handed to controller c1 (an operator's patch of the Lease:
 * the standalone sees it lost the lease and stops writing); c1 is killed with SIGKILL right after
 * two policy changes; another candidate must lead within 15 s and leave exactly the PolicyEndpoints
 * of the live policies: none missing, no duplicate by name or by policy and chunk, none of the
 * deleted policy, each owned by the current uid of its policy.
 */
@EnabledIfSystemProperty(named = "netpol.kernel.tests", matches = "true")
class ControllerFailoverIT {
  private static final Pattern IDENTITY =
      Pattern.compile("leader election on lease \\S+ as (\\S+) ");
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aKilledLeaderIsReplacedWithin15sWithNoDuplicateOrLostPolicyEndpoint() throws Exception {
    try (E2eRun run = new E2eRun()) {
      NetpolProcess s =
          NetpolProcess.standalone(
              "np-s", run.work.resolve("s"), run.pinRoot("s"), "NPF" + run.hex);
      run.onClose(() -> s.stop(20));
      s.awaitLog("kubeconfig written to", 60);
      Path kc = s.kubeconfig();
      s.awaitLog(" leads: writing PolicyEndpoints", 60);
      String sId = identity(s);
      assertEquals(sId, holder(kc), "the standalone's controller, alone, leads at once");

      NetpolProcess c1 = NetpolProcess.controller("c1", kc, run.work.resolve("c1"));
      run.onClose(() -> c1.stop(20));
      NetpolProcess c2 = NetpolProcess.controller("c2", kc, run.work.resolve("c2"));
      run.onClose(() -> c2.stop(20));
      c1.awaitLog("leader election on lease", 60);
      c2.awaitLog("leader election on lease", 60);
      c1.awaitLog("controller " + sId + " leads", 30);
      c2.awaitLog("controller " + sId + " leads", 30);
      String c1Id = identity(c1);

      apply(run, kc, "ns", "apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n");
      for (String p : List.of("p1", "p2", "p3", "p4")) {
        pod(run, kc, p, "198.18.131." + p.charAt(1));
        policy(run, kc, p);
      }
      awaitEndpoints(kc, List.of("p1 0", "p2 0", "p3 0", "p4 0"), 30);
      assertFalse(c1.log().contains("create ["), "a follower writes nothing:\n" + c1.tail());
      assertFalse(c2.log().contains("create ["), "a follower writes nothing:\n" + c2.tail());

      // hand the lease to c1: the standalone must notice and stop writing
      Cli.Result patched =
          E2eRun.kubectl(
              kc,
              "patch",
              "lease",
              "-n",
              "kube-system",
              "netpol-controller",
              "--type=merge",
              "-p",
              "{\"spec\":{\"holderIdentity\":\""
                  + c1Id
                  + "\",\"renewTime\":\""
                  + java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS)
                  + "\"}}");
      assertEquals(0, patched.exit(), patched.toString());
      c1.awaitLog(c1Id + " leads: writing PolicyEndpoints", 15);
      s.awaitLog(sId + " no longer leads", 15);
      assertEquals(c1Id, holder(kc));

      // two changes, then SIGKILL to the leader while it may be writing them
      policy(run, kc, "p5");
      assertEquals(
          0, E2eRun.kubectl(kc, "delete", "networkpolicy", "-n", "x", "p1", "--wait=false").exit());
      long killed = System.nanoTime();
      c1.kill9();
      policy(run, kc, "p2", "ingress: [{from: [{podSelector: {matchLabels: {app: p3}}}]}]");

      String next;
      while ((next = holder(kc)).equals(c1Id) || next.isEmpty()) {
        assertTrue(ms(killed) < 30_000, "no take-over 30 s after the leader was killed");
        Thread.sleep(100);
      }
      long takeover = ms(killed);
      awaitEndpoints(kc, List.of("p2 0", "p3 0", "p4 0", "p5 0"), 30);
      JsonNode p2 = endpoint(kc, "p2-0");
      awaitTrue(
          () ->
              endpoint(kc, "p2-0").path("spec").path("ingress").size() == 1
                  && endpoint(kc, "p2-0")
                      .path("spec")
                      .path("ingress")
                      .get(0)
                      .path("cidr")
                      .asText()
                      .equals("198.18.131.3/32"),
          "p2's edit after the kill reaches its PolicyEndpoint: " + p2,
          30);
      long converged = ms(killed);
      System.out.printf(
          "ControllerFailoverIT: leader %s killed; %s leads %d ms later; PolicyEndpoints exact %d"
              + " ms after the kill%n",
          c1Id, next, takeover, converged);
      assertTrue(takeover <= 15_000, "take-over after " + takeover + " ms");
      assertTrue(next.equals(sId) || next.equals(identity(c2)), "a live candidate: " + next);
    }
  }

  private static long ms(long since) {
    return (System.nanoTime() - since) / 1_000_000;
  }

  private static String identity(NetpolProcess p) {
    Matcher m = IDENTITY.matcher(p.log());
    assertTrue(m.find(), p.nodeName + " logs its identity:\n" + p.tail());
    return m.group(1);
  }

  private static String holder(Path kc) {
    Cli.Result r =
        E2eRun.kubectl(
            kc,
            "get",
            "lease",
            "-n",
            "kube-system",
            "netpol-controller",
            "-o",
            "jsonpath={.spec.holderIdentity}");
    return r.exit() == 0 ? r.out().trim() : "";
  }

  private static void apply(E2eRun run, Path kc, String name, String yaml) throws Exception {
    Cli.Result r = run.apply(kc, name, yaml);
    assertEquals(0, r.exit(), r.toString());
  }

  private static void pod(E2eRun run, Path kc, String name, String ip) throws Exception {
    apply(
        run,
        kc,
        "pod-" + name,
        "apiVersion: v1\nkind: Pod\nmetadata: {namespace: x, name: "
            + name
            + ", labels: {app: "
            + name
            + "}}\nspec: {nodeName: elsewhere, containers: [{name: c, image: none}]}\n");
    Cli.Result r =
        E2eRun.kubectl(
            kc,
            "patch",
            "pod",
            "-n",
            "x",
            name,
            "--subresource=status",
            "--type=merge",
            "-p",
            "{\"status\":{\"phase\":\"Running\",\"podIP\":\""
                + ip
                + "\",\"podIPs\":[{\"ip\":\""
                + ip
                + "\"}]}}");
    assertEquals(0, r.exit(), r.toString());
  }

  private static void policy(E2eRun run, Path kc, String name) throws Exception {
    policy(run, kc, name, "ingress: [{from: [{podSelector: {matchLabels: {app: p4}}}]}]");
  }

  private static void policy(E2eRun run, Path kc, String name, String ingress) throws Exception {
    apply(
        run,
        kc,
        "np-" + name,
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {namespace: x, name: "
            + name
            + "}\nspec:\n  podSelector: {matchLabels: {app: "
            + name
            + "}}\n  "
            + ingress
            + "\n");
  }

  private static JsonNode endpoint(Path kc, String name) throws Exception {
    Cli.Result r = E2eRun.kubectl(kc, "get", "policyendpoints", "-n", "x", name, "-o", "json");
    return r.exit() == 0 ? JSON.readTree(r.out()) : JSON.createObjectNode();
  }

  /**
   * Waits until the PolicyEndpoints of x are exactly {@code want} ("policy chunk-index", sorted):
   * each named {@code <policy>-<index>}, each once, each owned by its policy's current uid.
   */
  private static void awaitEndpoints(Path kc, List<String> want, int seconds) throws Exception {
    long end = System.currentTimeMillis() + seconds * 1000L;
    String seen = "";
    while (System.currentTimeMillis() < end) {
      JsonNode pes = JSON.readTree(get(kc, "policyendpoints"));
      Map<String, String> uids = new HashMap<>();
      for (JsonNode np : JSON.readTree(get(kc, "networkpolicies")).path("items")) {
        uids.put(
            np.path("metadata").path("name").asText(), np.path("metadata").path("uid").asText());
      }
      List<String> got = new ArrayList<>();
      Map<String, Integer> perChunk = new TreeMap<>();
      List<String> problems = new ArrayList<>();
      for (JsonNode pe : pes.path("items")) {
        String name = pe.path("metadata").path("name").asText();
        String policy = pe.path("spec").path("policyRef").path("name").asText();
        int index = pe.path("spec").path("chunk").path("index").asInt(-1);
        got.add(policy + " " + index);
        perChunk.merge(policy + " " + index, 1, Integer::sum);
        if (!name.equals(policy + "-" + index)) {
          problems.add(name + " is not named after its policy and chunk");
        }
        if (!pe.path("spec").path("policyRef").path("uid").asText().equals(uids.get(policy))) {
          problems.add(name + " is not owned by the current " + policy);
        }
      }
      got.sort(null);
      perChunk.forEach(
          (k, n) -> {
            if (n > 1) {
              problems.add(n + " PolicyEndpoints for " + k);
            }
          });
      seen = got + " " + problems;
      if (got.equals(want) && problems.isEmpty()) {
        return;
      }
      Thread.sleep(200);
    }
    fail("PolicyEndpoints of x: " + seen + ", want exactly " + want);
  }

  private static String get(Path kc, String kind) {
    Cli.Result r = E2eRun.kubectl(kc, "get", kind, "-n", "x", "-o", "json");
    assertEquals(0, r.exit(), r.toString());
    return r.out();
  }

  interface Check {
    boolean ok() throws Exception;
  }

  private static void awaitTrue(Check c, String what, int seconds) throws Exception {
    long end = System.currentTimeMillis() + seconds * 1000L;
    while (!c.ok()) {
      assertTrue(System.currentTimeMillis() < end, what);
      Thread.sleep(200);
    }
  }
}
