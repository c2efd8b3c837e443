package dev.netpol.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Drives the real kubectl 1.32 binary through every command the embedded server must support. */
class KubectlTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path dir;
  private static EmbeddedApiServer server;
  private static Kubectl k;

  @BeforeAll
  static void start() {
    assumeTrue(Files.isExecutable(Kubectl.BINARY), "kubectl is not installed");
    server = new EmbeddedApiServer();
    server.start("127.0.0.1", 0, dir.resolve("data"));
    server.writeKubeconfig(dir.resolve("kubeconfig"));
    k = new Kubectl(dir.resolve("kubeconfig"), dir);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.stop();
    }
  }

  static String ns(String name) {
    return "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + name + "\n";
  }

  static String netpol(String ns, String name, String extraMeta, String spec) {
    return "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: "
        + name
        + "\n  namespace: "
        + ns
        + "\n"
        + extraMeta
        + "spec:\n"
        + spec;
  }

  static String pod(String ns, String name, String app, String node) {
    return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: "
        + name
        + "\n  namespace: "
        + ns
        + "\n  labels:\n    app: "
        + app
        + "\n"
        + "spec:\n  nodeName: "
        + node
        + "\n  containers:\n  - name: c\n    image: nginx\n    ports:\n    - name: http\n      containerPort: 8080\n"
        + "status:\n  phase: Running\n  podIP: 198.18.99.1\n";
  }

  static JsonNode json(Kubectl.Result r) throws Exception {
    return JSON.readTree(r.ok().out());
  }

  static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(100);
    }
  }

  @Test
  void versionAndDiscovery() {
    assertTrue(k.run("version").ok().out().contains("Server Version: v1.32.0"));
    String resources = k.run("api-resources").ok().out();
    for (String r :
        new String[] {
          "networkpolicies",
          "endpointslices",
          "customresourcedefinitions",
          "pods",
          "services",
          "leases"
        }) {
      assertTrue(resources.contains(r), r);
    }
    assertTrue(k.run("get", "--raw", "/readyz").ok().out().contains("ok"));
  }

  @Test
  void serverSideApplyOwnsFieldsLikeTheRealServer() throws Exception {
    k.apply(ns("ssa")).ok();
    java.util.function.Function<String, String> np =
        labels ->
            netpol(
                "ssa",
                "np",
                "  labels: {" + labels + "}\n",
                "  podSelector: {}\n  policyTypes: [Ingress]\n");
    k.apply(np.apply("a: '1', b: '2'"), "--server-side").ok();
    k.apply(np.apply("a: '1'"), "--server-side").ok();
    assertEquals(
        "{\"a\":\"1\"}",
        k.run("get", "netpol", "-n", "ssa", "np", "-o", "jsonpath={.metadata.labels}").ok().out(),
        "a field the applier dropped is removed");
    k.run("label", "netpol", "-n", "ssa", "np", "c=3").ok();
    k.apply(np.apply("a: '1'"), "--server-side").ok();
    assertEquals(
        "{\"a\":\"1\",\"c\":\"3\"}",
        k.run("get", "netpol", "-n", "ssa", "np", "-o", "jsonpath={.metadata.labels}").ok().out(),
        "a field another manager set stays");
    k.run(
            "patch",
            "netpol",
            "-n",
            "ssa",
            "np",
            "--type=merge",
            "-p",
            "{\"spec\":{\"policyTypes\":[\"Ingress\",\"Egress\"]}}")
        .ok();
    Kubectl.Result conflict = k.apply(np.apply("a: '1'"), "--server-side");
    assertNotEquals(0, conflict.rc());
    assertTrue(
        conflict
            .err()
            .contains(
                "Apply failed with 1 conflict: conflict with \"kubectl-patch\" using"
                    + " networking.k8s.io/v1: .spec.policyTypes"),
        conflict.err());
    k.apply(np.apply("a: '1'"), "--server-side", "--force-conflicts").ok();
    assertEquals(
        "[\"Ingress\"]",
        k.run("get", "netpol", "-n", "ssa", "np", "-o", "jsonpath={.spec.policyTypes}").ok().out());
    JsonNode managed =
        json(k.run("get", "netpol", "-n", "ssa", "np", "-o", "json", "--show-managed-fields"))
            .at("/metadata/managedFields");
    assertEquals("kubectl", managed.get(0).path("manager").asText());
    assertEquals("Apply", managed.get(0).path("operation").asText());
    assertTrue(managed.get(0).at("/fieldsV1/f:spec").has("f:policyTypes"), managed.toString());

    // keyed lists: containers by name
    String pod =
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ssa}\nspec:\n  containers:\n"
            + "  - {name: a, image: x}\n";
    k.apply(pod + "  - {name: b, image: y}\n", "--server-side").ok();
    k.apply(pod.replace("image: x", "image: x2"), "--server-side").ok();
    assertEquals(
        "a=x2",
        k.run(
                "get",
                "pod",
                "-n",
                "ssa",
                "p",
                "-o",
                "jsonpath={range .spec.containers[*]}{.name}={.image}{end}")
            .ok()
            .out(),
        "container b, applied before and dropped now, is removed; a is merged by name");
  }

  @Test
  void strategicMergePatchMergesKeyedLists() throws Exception {
    k.apply(ns("smp")).ok();
    k.apply(pod("smp", "p", "web", "node-1")).ok();
    k.run(
            "patch",
            "pod",
            "-n",
            "smp",
            "p",
            "-p",
            "{\"spec\":{\"containers\":[{\"name\":\"sidecar\",\"image\":\"busybox\"}]}}")
        .ok();
    assertEquals(
        "c sidecar",
        k.run("get", "pod", "-n", "smp", "p", "-o", "jsonpath={.spec.containers[*].name}")
            .ok()
            .out(),
        "a strategic patch adds a container by name, keeping the others");
    assertEquals(
        "8080",
        k.run(
                "get",
                "pod",
                "-n",
                "smp",
                "p",
                "-o",
                "jsonpath={.spec.containers[0].ports[0].containerPort}")
            .ok()
            .out());
    k.apply(Crds.POLICY_ENDPOINT).ok();
    k.apply(
            "apiVersion: policy.netpol.dev/v1alpha1\nkind: PolicyEndpoint\nmetadata: {name: pe, namespace: smp}\nspec: {a: 1}\n")
        .ok();
    Kubectl.Result cr = k.run("patch", "pe", "-n", "smp", "pe", "-p", "{\"spec\":{\"a\":2}}");
    assertNotEquals(0, cr.rc(), "strategic merge patch is not supported for custom resources");
    assertTrue(cr.err().contains("application/merge-patch+json"), cr.err());
    k.run("patch", "pe", "-n", "smp", "pe", "--type=merge", "-p", "{\"spec\":{\"a\":2}}").ok();
    k.run("delete", "pe", "-n", "smp", "pe").ok();
  }

  @Test
  void kindListWorksInCreateApplyAndDelete() throws Exception {
    String list =
        "apiVersion: v1\nkind: List\nitems:\n"
            + "- apiVersion: v1\n  kind: Namespace\n  metadata: {name: listed}\n"
            + "- apiVersion: networking.k8s.io/v1\n  kind: NetworkPolicy\n"
            + "  metadata: {name: deny, namespace: listed}\n  spec: {podSelector: {}}\n"
            + "- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: cm, namespace: listed}\n"
            + "  data: {a: '1'}\n";
    String out = k.run(Map.of(), list, "create", "-f", "-").ok().out();
    assertTrue(out.contains("networkpolicy.networking.k8s.io/deny created"), out);
    assertEquals(
        "networkpolicy.networking.k8s.io/deny",
        k.run("get", "netpol", "-n", "listed", "-o", "name").ok().out().trim());
    String changed = list.replace("a: '1'", "a: '2'");
    k.apply(changed).ok();
    assertEquals(
        "2", k.run("get", "cm", "-n", "listed", "cm", "-o", "jsonpath={.data.a}").ok().out());
    k.apply(changed.replace("a: '2'", "a: '3'"), "--server-side").ok();
    assertEquals(
        "3", k.run("get", "cm", "-n", "listed", "cm", "-o", "jsonpath={.data.a}").ok().out());
    String itemsOnly =
        "apiVersion: v1\nkind: List\nitems:\n"
            + "- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: cm, namespace: listed}\n"
            + "- apiVersion: networking.k8s.io/v1\n  kind: NetworkPolicy\n"
            + "  metadata: {name: deny, namespace: listed}\n";
    k.run(Map.of(), itemsOnly, "delete", "-f", "-").ok();
    assertEquals("", k.run("get", "netpol,cm", "-n", "listed", "-o", "name").ok().out().trim());
  }

  @Test
  void badInputIsRefusedWithTheFieldNamed() {
    Kubectl.Result r =
        k.run(
            Map.of(),
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lbl\n  namespace: default\n"
                + "  labels: {app: "
                + "v".repeat(64)
                + "}\n",
            "create",
            "-f",
            "-");
    assertNotEquals(0, r.rc());
    assertTrue(
        r.err().contains("metadata.labels: Invalid value") && r.err().contains("63 characters"),
        r.err());
    assertNotEquals(0, k.run("get", "cm", "-n", "default", "lbl").rc(), "nothing was stored");
  }

  @Test
  void namespacesGetTheirNameLabelAndKeepIt() throws Exception {
    k.apply(ns("nslabel")).ok();
    assertEquals(
        "nslabel",
        k.run(
                "get",
                "ns",
                "nslabel",
                "-o",
                "jsonpath={.metadata.labels.kubernetes\\.io/metadata\\.name}")
            .ok()
            .out());
    k.run("label", "ns", "nslabel", "kubernetes.io/metadata.name-", "team=x").ok();
    JsonNode labels =
        json(k.run("get", "ns", "nslabel", "-o", "json")).path("metadata").path("labels");
    assertEquals("nslabel", labels.path("kubernetes.io/metadata.name").asText());
    assertEquals("x", labels.path("team").asText());
  }

  @Test
  void createApplyUpdateAndThreeWayApply() throws Exception {
    k.apply(ns("apply")).ok();
    String v1 =
        netpol(
            "apply",
            "np",
            "  labels:\n    keep: \"1\"\n    drop: \"1\"\n",
            "  podSelector: {}\n  ingress:\n  - ports:\n    - port: 80\n  egress:\n  - ports:\n    - port: 53\n      protocol: UDP\n");
    k.run(Map.of(), v1, "create", "-f", "-").ok();
    Kubectl.Result again = k.run(Map.of(), v1, "create", "-f", "-");
    assertNotEquals(0, again.rc());
    assertTrue(
        again.err().contains("AlreadyExists") || again.err().contains("already exists"),
        again.err());
    JsonNode created = json(k.run("get", "netpol", "-n", "apply", "np", "-o", "json"));
    assertEquals("[\"Ingress\",\"Egress\"]", created.at("/spec/policyTypes").toString());
    assertEquals("TCP", created.at("/spec/ingress/0/ports/0/protocol").asText());

    k.apply(v1).ok(); // apply on an object made by create: patches in the last-applied annotation
    String v2 =
        netpol(
            "apply",
            "np",
            "  labels:\n    keep: \"1\"\n",
            "  podSelector:\n    matchLabels:\n      app: web\n  ingress:\n  - ports:\n    - port: 8080\n");
    assertTrue(k.apply(v2).ok().out().contains("configured"));
    JsonNode updated = json(k.run("get", "netpol", "-n", "apply", "np", "-o", "json"));
    assertFalse(
        updated.at("/metadata/labels").has("drop"), "apply removed the label it no longer has");
    assertEquals("web", updated.at("/spec/podSelector/matchLabels/app").asText());
    assertEquals(8080, updated.at("/spec/ingress/0/ports/0/port").asInt());
    assertTrue(updated.at("/spec/egress").isMissingNode(), "egress removed by three-way apply");
    assertTrue(
        Long.parseLong(updated.at("/metadata/resourceVersion").asText())
            > Long.parseLong(created.at("/metadata/resourceVersion").asText()));
    assertEquals(2, updated.at("/metadata/generation").asInt());
  }

  @Test
  void serverSideApplyAndDryRun() throws Exception {
    k.apply(ns("ssa"), "--server-side").ok();
    String np = netpol("ssa", "np", "", "  podSelector: {}\n");
    assertTrue(k.apply(np, "--server-side").ok().out().contains("serverside-applied"));
    k.apply(netpol("ssa", "np", "  labels:\n    a: b\n", "  podSelector: {}\n"), "--server-side")
        .ok();
    assertEquals(
        "b",
        k.run("get", "netpol", "-n", "ssa", "np", "-o", "jsonpath={.metadata.labels.a}")
            .ok()
            .out());
    k.apply(netpol("ssa", "dry", "", "  podSelector: {}\n"), "--dry-run=server").ok();
    Kubectl.Result missing = k.run("get", "netpol", "-n", "ssa", "dry");
    assertNotEquals(0, missing.rc());
    assertTrue(
        missing.err().contains("networkpolicies.networking.k8s.io \"dry\" not found"),
        missing.err());
  }

  @Test
  void invalidNetworkPoliciesAreRejectedWithTheField() {
    k.apply(ns("invalid")).ok();
    Kubectl.Result r =
        k.apply(
            netpol(
                "invalid",
                "bad",
                "",
                "  podSelector: {}\n  ingress:\n  - from:\n    - ipBlock:\n        cidr: 10.0.0.0/33\n"));
    assertNotEquals(0, r.rc());
    assertTrue(
        r.err().contains("spec.ingress[0].from[0].ipBlock.cidr: Invalid value: \"10.0.0.0/33\""),
        r.err());
    Kubectl.Result ports =
        k.run(
            Map.of(),
            netpol(
                "invalid",
                "bad2",
                "",
                "  podSelector: {}\n  egress:\n  - ports:\n    - port: 90\n      endPort: 80\n"),
            "create",
            "-f",
            "-");
    assertTrue(
        ports
            .err()
            .contains(
                "spec.egress[0].ports[0].endPort: Invalid value: 80: must be greater than or equal to `port`"),
        ports.err());
    assertTrue(k.run("get", "netpol", "-n", "invalid").out().isEmpty());
  }

  @Test
  void getOutputsAndSelectors() throws Exception {
    k.apply(ns("sel")).ok();
    k.apply(
            pod("sel", "web-1", "web", "node-1")
                + "---\n"
                + pod("sel", "web-2", "web", "node-2")
                + "---\n"
                + pod("sel", "db-1", "db", "node-1"))
        .ok();
    k.run("label", "pod", "-n", "sel", "db-1", "tier=data").ok();
    assertEquals("db-1 web-1 web-2", names("get", "pods", "-n", "sel"));
    assertEquals("web-1 web-2", names("get", "pods", "-n", "sel", "-l", "app=web"));
    assertEquals("web-1 web-2", names("get", "pods", "-n", "sel", "-l", "app==web"));
    assertEquals("db-1", names("get", "pods", "-n", "sel", "-l", "app!=web"));
    assertEquals("db-1 web-1 web-2", names("get", "pods", "-n", "sel", "-l", "app in (web,db)"));
    assertEquals("web-1 web-2", names("get", "pods", "-n", "sel", "-l", "app notin (db)"));
    assertEquals("db-1", names("get", "pods", "-n", "sel", "-l", "tier"));
    assertEquals("web-1 web-2", names("get", "pods", "-n", "sel", "-l", "!tier"));
    assertEquals(
        "db-1 web-1", names("get", "pods", "-A", "--field-selector", "spec.nodeName=node-1"));
    assertEquals(
        "web-2", names("get", "pods", "-n", "sel", "--field-selector", "metadata.name=web-2"));
    String yaml = k.run("get", "pod", "-n", "sel", "web-1", "-o", "yaml").ok().out();
    assertTrue(yaml.contains("name: web-1") && yaml.contains("kind: Pod"), yaml);
    JsonNode pod = json(k.run("get", "pod", "-n", "sel", "web-1", "-o", "json"));
    assertEquals("Pending", pod.at("/status/phase").asText(), "status in a create body is ignored");
    assertTrue(k.run("describe", "pod", "-n", "sel", "web-1").ok().out().contains("node-1"));
    String table = k.run("get", "pods", "-n", "sel", "-o", "wide").ok().out();
    assertTrue(
        table
            .lines()
            .findFirst()
            .orElseThrow()
            .matches("NAME +READY +STATUS +RESTARTS +AGE +IP +NODE.*"),
        table);
    assertTrue(
        table.lines().anyMatch(l -> l.matches("web-1 +0/1 +Pending +0 +\\S+ +<none> +node-1.*")),
        table);
  }

  private static String names(String... args) throws Exception {
    String[] full = java.util.Arrays.copyOf(args, args.length + 2);
    full[args.length] = "-o";
    full[args.length + 1] = "jsonpath={.items[*].metadata.name}";
    return k.run(full).ok().out().trim();
  }

  @Test
  void labelAnnotatePatchAndDescribe() throws Exception {
    k.apply(ns("patch")).ok();
    k.apply(
            netpol(
                "patch",
                "np",
                "  labels:\n    k1: v1\n",
                "  podSelector: {}\n  policyTypes: [Ingress]\n"))
        .ok();
    k.run("label", "netpol", "-n", "patch", "np", "k2=v2").ok();
    k.run("annotate", "netpol", "-n", "patch", "np", "note=hello").ok();
    k.run(
            "patch",
            "netpol",
            "-n",
            "patch",
            "np",
            "--type=merge",
            "-p",
            "{\"spec\":{\"policyTypes\":[\"Egress\"]},\"metadata\":{\"labels\":{\"k1\":null}}}")
        .ok();
    k.run(
            "patch",
            "netpol",
            "-n",
            "patch",
            "np",
            "--type=json",
            "-p",
            "[{\"op\":\"add\",\"path\":\"/spec/podSelector/matchLabels\",\"value\":{\"app\":\"x\"}}]")
        .ok();
    k.run(
            "patch",
            "netpol",
            "-n",
            "patch",
            "np",
            "-p",
            "{\"metadata\":{\"labels\":{\"k3\":\"v3\"}}}")
        .ok();
    JsonNode np = json(k.run("get", "netpol", "-n", "patch", "np", "-o", "json"));
    assertEquals("{\"k2\":\"v2\",\"k3\":\"v3\"}", np.at("/metadata/labels").toString());
    assertEquals("hello", np.at("/metadata/annotations/note").asText());
    assertEquals(
        "[\"Egress\"]", np.at("/spec/policyTypes").toString(), "merge patch replaces lists");
    assertEquals("x", np.at("/spec/podSelector/matchLabels/app").asText());
    Kubectl.Result bad =
        k.run(
            "patch",
            "netpol",
            "-n",
            "patch",
            "np",
            "--type=json",
            "-p",
            "[{\"op\":\"test\",\"path\":\"/spec/policyTypes/0\",\"value\":\"Ingress\"}]");
    assertNotEquals(0, bad.rc());
    String described = k.run("describe", "netpol", "-n", "patch", "np").ok().out();
    assertTrue(described.contains("PodSelector:") && described.contains("app=x"), described);
  }

  @Test
  void editUsesTheEditor() throws Exception {
    k.apply(ns("edit")).ok();
    k.apply(netpol("edit", "np", "", "  podSelector:\n    matchLabels:\n      app: before\n")).ok();
    k.run(
            Map.of("KUBE_EDITOR", "sed -i s/app:\\ before/app:\\ after/"),
            null,
            "edit",
            "netpol",
            "-n",
            "edit",
            "np")
        .ok();
    assertEquals(
        "after",
        k.run(
                "get",
                "netpol",
                "-n",
                "edit",
                "np",
                "-o",
                "jsonpath={.spec.podSelector.matchLabels.app}")
            .ok()
            .out());
  }

  @Test
  void watchSeesAddedModifiedDeleted() throws Exception {
    k.apply(ns("watch")).ok();
    k.apply(netpol("watch", "first", "", "  podSelector: {}\n")).ok();
    Process w =
        k.start(
            Map.of(),
            null,
            "get",
            "netpol",
            "-n",
            "watch",
            "-w",
            "--output-watch-events",
            "-o",
            "json");
    try {
      // the initial list arrives as ADDED; after that the watch is open
      eventually("the initial list", () -> watchTypes(w).equals("ADDED"));
      k.apply(netpol("watch", "np", "", "  podSelector: {}\n")).ok();
      k.run("label", "netpol", "-n", "watch", "np", "x=y").ok();
      k.run("delete", "netpol", "-n", "watch", "np").ok();
      eventually("the DELETED event", () -> watchTypes(w).endsWith("DELETED"));
    } finally {
      w.destroy();
      w.waitFor(5, TimeUnit.SECONDS);
    }
    assertEquals("ADDED ADDED MODIFIED DELETED", watchTypes(w), k.result(w).out());
  }

  private static String watchTypes(Process w) {
    try {
      Matcher m =
          Pattern.compile("\"type\":\\s*\"(ADDED|MODIFIED|DELETED)\"").matcher(k.result(w).out());
      StringBuilder types = new StringBuilder();
      while (m.find()) {
        types.append(m.group(1)).append(' ');
      }
      return types.toString().trim();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void waitForJsonpathAndDelete() throws Exception {
    k.apply(ns("wait")).ok();
    k.apply(pod("wait", "p", "web", "node-1")).ok();
    Process waiter =
        k.start(
            Map.of(),
            null,
            "wait",
            "-n",
            "wait",
            "pod/p",
            "--for=jsonpath={.status.phase}=Running",
            "--timeout=20s");
    Thread.sleep(800);
    k.run(
            "patch",
            "pod",
            "-n",
            "wait",
            "p",
            "--subresource=status",
            "--type=merge",
            "-p",
            "{\"status\":{\"phase\":\"Running\"}}")
        .ok();
    assertTrue(waiter.waitFor(20, TimeUnit.SECONDS));
    k.result(waiter).ok();
    Process deleteWaiter =
        k.start(Map.of(), null, "wait", "-n", "wait", "pod/p", "--for=delete", "--timeout=20s");
    Thread.sleep(800);
    assertTrue(deleteWaiter.isAlive(), "wait returns only once the pod is gone");
    k.run("delete", "pod", "-n", "wait", "p", "--wait=false").ok();
    assertTrue(deleteWaiter.waitFor(20, TimeUnit.SECONDS));
    k.result(deleteWaiter).ok();
  }

  @Test
  void statusSubresource() throws Exception {
    k.apply(ns("status")).ok();
    k.apply(pod("status", "p", "web", "node-1")).ok();
    k.run(
            "patch",
            "pod",
            "-n",
            "status",
            "p",
            "--type=merge",
            "-p",
            "{\"status\":{\"phase\":\"Failed\"}}")
        .ok();
    assertEquals(
        "Pending",
        k.run("get", "pod", "-n", "status", "p", "-o", "jsonpath={.status.phase}").ok().out(),
        "status changes through the main resource are ignored");
    k.run(
            "patch",
            "pod",
            "-n",
            "status",
            "p",
            "--subresource=status",
            "--type=merge",
            "-p",
            "{\"status\":{\"phase\":\"Running\",\"podIP\":\"198.18.99.7\"},\"metadata\":{\"labels\":{\"sneaky\":\"1\"}}}")
        .ok();
    JsonNode pod = json(k.run("get", "pod", "-n", "status", "p", "-o", "json"));
    assertEquals("Running", pod.at("/status/phase").asText());
    assertEquals("198.18.99.7", pod.at("/status/podIP").asText());
    assertTrue(
        pod.at("/metadata/labels/sneaky").isMissingNode(), "a status write changes only status");
  }

  @Test
  void customResourceDefinitionsServeTheirKind() throws Exception {
    k.apply(ns("crd")).ok();
    k.apply(Crds.POLICY_ENDPOINT).ok();
    k.run(
            "wait",
            "--for=condition=established",
            "crd/policyendpoints.policy.netpol.dev",
            "--timeout=10s")
        .ok();
    assertTrue(
        k.run("api-resources", "--api-group=policy.netpol.dev")
            .ok()
            .out()
            .contains("policyendpoints"));
    k.apply(
            "apiVersion: policy.netpol.dev/v1alpha1\nkind: PolicyEndpoint\nmetadata:\n  name: pe\n  namespace: crd\n"
                + "spec:\n  podSelector: {}\nstatus:\n  ignored: true\n")
        .ok();
    assertEquals("", k.run("get", "pe", "-n", "crd", "pe", "-o", "jsonpath={.status}").ok().out());
    String table = k.run("get", "pe", "-n", "crd").ok().out();
    assertTrue(table.startsWith("NAME   POD-SELECTOR   AGE"), table);
    assertTrue(table.contains("pe     {}"), table);
    k.run(
            "patch",
            "policyendpoints",
            "-n",
            "crd",
            "pe",
            "--subresource=status",
            "--type=merge",
            "-p",
            "{\"status\":{\"ok\":true}}")
        .ok();
    assertEquals(
        "{\"ok\":true}",
        k.run("get", "pe", "-n", "crd", "pe", "-o", "jsonpath={.status}").ok().out());
    k.run("delete", "namespace", "crd").ok();
    assertTrue(
        k.run("get", "pe", "-A", "-o", "name").ok().out().isBlank(),
        "namespace deletion removes its objects");
  }

  @Test
  void endpointSlicesFollowPodStatus() throws Exception {
    k.apply(ns("eps")).ok();
    k.apply(
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: eps\nspec:\n  selector:\n    app: web\n"
                + "  ports:\n  - name: http\n    port: 80\n    targetPort: http\n")
        .ok();
    String ip =
        k.run("get", "svc", "-n", "eps", "web", "-o", "jsonpath={.spec.clusterIP}").ok().out();
    assertTrue(ip.startsWith("198.19."), ip);
    k.apply(pod("eps", "web-1", "web", "node-1")).ok();
    String[] slice = {
      "get",
      "endpointslices",
      "-n",
      "eps",
      "-l",
      "kubernetes.io/service-name=web",
      "-o",
      "jsonpath={.items[*].endpoints[*].addresses[*]}|{.items[*].ports[*].port}"
    };
    eventually("an empty slice", () -> k.run(slice).out().equals("|"));
    k.run(
            "patch",
            "pod",
            "-n",
            "eps",
            "web-1",
            "--subresource=status",
            "--type=merge",
            "-p",
            "{\"status\":{\"phase\":\"Running\",\"podIP\":\"198.18.99.20\"}}")
        .ok();
    eventually("the pod in the slice", () -> k.run(slice).out().equals("198.18.99.20|8080"));
    k.run(
            "patch",
            "pod",
            "-n",
            "eps",
            "web-1",
            "--subresource=status",
            "--type=merge",
            "-p",
            "{\"status\":{\"phase\":\"Succeeded\"}}")
        .ok();
    eventually("the pod leaving the slice", () -> k.run(slice).out().equals("|"));
    k.run("delete", "svc", "-n", "eps", "web").ok();
    eventually(
        "slices garbage-collected",
        () -> k.run("get", "endpointslices", "-n", "eps", "-o", "name").out().isBlank());
  }

  @Test
  void generatorCommandsSendProtobufForNamespacesAndConfigMaps() {
    k.run("create", "namespace", "gen").ok();
    assertEquals(
        "gen",
        k.run(
                "get",
                "ns",
                "gen",
                "-o",
                "jsonpath={.metadata.labels.kubernetes\\.io/metadata\\.name}")
            .ok()
            .out());
    k.run("create", "configmap", "cm1", "-n", "gen", "--from-literal=a=b", "--from-literal=c=d")
        .ok();
    assertEquals(
        "{\"a\":\"b\",\"c\":\"d\"}",
        k.run("get", "cm", "-n", "gen", "cm1", "-o", "jsonpath={.data}").ok().out());
    Kubectl.Result r = k.run("create", "service", "clusterip", "svc1", "-n", "gen", "--tcp=80:80");
    assertNotEquals(0, r.rc());
    assertTrue(
        r.err()
            .contains("protobuf request bodies are only understood for v1 Namespace and ConfigMap"),
        r.err());
  }

  @Test
  void reapplyingAPodMergesContainersByName() throws Exception {
    k.apply(ns("smp")).ok();
    k.apply(pod("smp", "p", "web", "node-1")).ok();
    k.apply(pod("smp", "p", "web", "node-1").replace("image: nginx", "image: nginx:2")).ok();
    JsonNode c = json(k.run("get", "pod", "-n", "smp", "p", "-o", "json")).at("/spec/containers/0");
    assertEquals("nginx:2", c.path("image").asText());
    assertEquals(
        8080, c.at("/ports/0/containerPort").asInt(), "fields kubectl did not send are kept");
  }
}
