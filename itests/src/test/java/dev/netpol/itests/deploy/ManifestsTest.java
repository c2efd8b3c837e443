package dev.netpol.itests.deploy;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The cluster manifests as {@code kubectl kustomize} renders them, every object read into fabric8's
 * typed model with unknown fields an error, and their security properties checked: what runs where
 * with which privileges, and exactly which API verbs each component has.
 */
class ManifestsTest {
  private static final Path DIST = RenderedManifests.dist();
  private static final String NS = "netpol-system";
  private static RenderedManifests rendered;
  private static Map<String, HasMetadata> typed;

  @BeforeAll
  static void render() throws Exception {
    rendered = RenderedManifests.render(DIST.resolve("manifests"));
    typed = new TreeMap<>();
    for (JsonNode o : rendered.objects()) {
      HasMetadata h = TypedModel.read(o);
      String ns = h.getMetadata().getNamespace();
      String name = h.getMetadata().getName();
      assertNull(
          typed.put(h.getKind() + " " + (ns == null ? "" : ns + "/") + name, h), "twice: " + name);
    }
  }

  @Test
  void theSetIsTheNamespaceCrdConfigRbacAndTheTwoWorkloads() {
    Set<String> names = new TreeSet<>(typed.keySet());
    names.removeIf(n -> n.startsWith("ConfigMap " + NS + "/netpol-config-"));
    assertEquals(
        new TreeSet<>(
            List.of(
                "Namespace netpol-system",
                "CustomResourceDefinition policyendpoints.policy.netpol.dev",
                "ServiceAccount netpol-system/netpol-controller",
                "ServiceAccount netpol-system/netpol-agent",
                "ClusterRole netpol-controller",
                "ClusterRole netpol-agent",
                "ClusterRoleBinding netpol-controller",
                "ClusterRoleBinding netpol-agent",
                "Role netpol-system/netpol-controller-leader-election",
                "RoleBinding netpol-system/netpol-controller-leader-election",
                "Deployment netpol-system/netpol-controller",
                "DaemonSet netpol-system/netpol-agent")),
        names);
    assertEquals(13, typed.size(), "and one generated ConfigMap: " + typed.keySet());
    assertEquals(
        "privileged",
        typed
            .get("Namespace netpol-system")
            .getMetadata()
            .getLabels()
            .get("pod-security.kubernetes.io/enforce"));
  }

  @Test
  void anUnknownFieldIsAnErrorNotAnAdditionalProperty() {
    ObjectNode ds = rendered.one("DaemonSet", "netpol-agent").deepCopy();
    ((ObjectNode) ds.at("/spec/template/spec")).put("hostNetwrk", true);
    Exception e = assertThrows(Exception.class, () -> TypedModel.read(ds));
    assertTrue(e.getMessage().contains("hostNetwrk"), e.getMessage());
    ObjectNode unknownKind = rendered.one("Namespace", NS).deepCopy();
    unknownKind.put("kind", "Secret");
    assertThrows(IllegalArgumentException.class, () -> TypedModel.read(unknownKind));
  }

  @Test
  void theAgentRunsOnEveryNodeOnTheHostNetworkWithOnlyTheCapabilitiesItNeeds() {
    DaemonSet ds = (DaemonSet) typed.get("DaemonSet " + NS + "/netpol-agent");
    PodSpec pod = ds.getSpec().getTemplate().getSpec();
    assertEquals(Boolean.TRUE, pod.getHostNetwork());
    assertEquals("ClusterFirstWithHostNet", pod.getDnsPolicy());
    assertNotEquals(Boolean.TRUE, pod.getHostPID());
    assertNotEquals(Boolean.TRUE, pod.getHostIPC());
    assertEquals("netpol-agent", pod.getServiceAccountName());
    assertEquals("system-node-critical", pod.getPriorityClassName());
    assertTrue(
        pod.getTolerations().stream()
            .anyMatch(t -> "Exists".equals(t.getOperator()) && t.getKey() == null),
        "tolerates every taint: " + pod.getTolerations());
    assertEquals(1, pod.getContainers().size());
    Container c = pod.getContainers().get(0);
    var sc = c.getSecurityContext();
    assertNotEquals(Boolean.TRUE, sc.getPrivileged(), "not privileged");
    assertEquals(List.of("ALL"), sc.getCapabilities().getDrop());
    assertEquals(
        Set.of("NET_ADMIN", "BPF", "PERFMON", "SYS_RESOURCE"),
        Set.copyOf(sc.getCapabilities().getAdd()));
    assertEquals(Boolean.TRUE, sc.getReadOnlyRootFilesystem());
    // SIGTERM stops the agent and nothing else: no hook that could remove the pinned programs
    assertNull(c.getLifecycle(), "no lifecycle hooks");
    assertEquals("node", c.getArgs().get(0));
    assertEquals(
        "spec.nodeName",
        c.getEnv().stream()
            .filter(e -> e.getName().equals("NODE_NAME"))
            .findFirst()
            .orElseThrow()
            .getValueFrom()
            .getFieldRef()
            .getFieldPath());
    Volume bpffs = volumeAt(pod, c, "/sys/fs/bpf");
    assertEquals("/sys/fs/bpf", bpffs.getHostPath().getPath());
    assertEquals("HostToContainer", mountAt(c, "/sys/fs/bpf").getMountPropagation());
    assertTrue(argAfter(c, "--bpffs-root").startsWith("/sys/fs/bpf/"), c.getArgs().toString());
    assertResources(c);
    assertConfigMounted(pod, c);
    // the probes reach the health endpoint where the args make it listen (the host's loopback)
    String metrics =
        c.getArgs().stream()
            .filter(a -> a.startsWith("netpol.metrics.address="))
            .findFirst()
            .orElseThrow();
    assertEquals("netpol.metrics.address=127.0.0.1:9969", metrics);
    for (var probe : List.of(c.getReadinessProbe(), c.getLivenessProbe())) {
      assertEquals("127.0.0.1", probe.getHttpGet().getHost());
      assertEquals(9969, probe.getHttpGet().getPort().getIntVal());
    }
    assertEquals("/readyz", c.getReadinessProbe().getHttpGet().getPath());
    assertEquals("/healthz", c.getLivenessProbe().getHttpGet().getPath());
  }

  @Test
  void theControllerRunsTwoUnprivilegedReplicasOffTheHostNetwork() {
    Deployment d = (Deployment) typed.get("Deployment " + NS + "/netpol-controller");
    assertEquals(2, d.getSpec().getReplicas());
    PodSpec pod = d.getSpec().getTemplate().getSpec();
    assertNotEquals(Boolean.TRUE, pod.getHostNetwork());
    assertEquals("netpol-controller", pod.getServiceAccountName());
    assertEquals(Boolean.TRUE, pod.getSecurityContext().getRunAsNonRoot());
    Container c = pod.getContainers().get(0);
    assertEquals("controller", c.getArgs().get(0));
    assertFalse(c.getArgs().contains("--kubeconfig"), "in-cluster config");
    var sc = c.getSecurityContext();
    assertEquals(List.of("ALL"), sc.getCapabilities().getDrop());
    assertTrue(sc.getCapabilities().getAdd().isEmpty(), "no capability added");
    assertEquals(Boolean.FALSE, sc.getAllowPrivilegeEscalation());
    assertEquals(Boolean.TRUE, sc.getReadOnlyRootFilesystem());
    assertTrue(pod.getVolumes().stream().noneMatch(v -> v.getHostPath() != null), "no hostPath");
    assertResources(c);
    assertConfigMounted(pod, c);
  }

  @Test
  void eachComponentHasExactlyTheApiVerbsItUses() {
    assertEquals(
        Map.of(
            "/pods", "list,watch",
            "/namespaces", "list,watch",
            "/services", "list,watch",
            "networking.k8s.io/networkpolicies", "list,watch",
            "policy.netpol.dev/policyendpoints", "create,delete,get,list,patch,update,watch",
            "policy.netpol.dev/policyendpoints/status", "get,patch,update",
            "apiextensions.k8s.io/customresourcedefinitions[policyendpoints.policy.netpol.dev]",
                "get,patch"),
        verbs("ClusterRole netpol-controller"));
    assertEquals(
        Map.of("coordination.k8s.io/leases", "create,get,patch,update"),
        verbs("Role " + NS + "/netpol-controller-leader-election"));
    assertEquals(
        Map.of(
            "/pods", "list,watch",
            "policy.netpol.dev/policyendpoints", "list,watch",
            "policy.netpol.dev/policyendpoints/status", "patch,update"),
        verbs("ClusterRole netpol-agent"));
    // each role bound to its own service account only
    assertBound(
        ((ClusterRoleBinding) typed.get("ClusterRoleBinding netpol-controller")).getSubjects(),
        ((ClusterRoleBinding) typed.get("ClusterRoleBinding netpol-controller"))
            .getRoleRef()
            .getName(),
        "netpol-controller");
    assertBound(
        ((ClusterRoleBinding) typed.get("ClusterRoleBinding netpol-agent")).getSubjects(),
        ((ClusterRoleBinding) typed.get("ClusterRoleBinding netpol-agent")).getRoleRef().getName(),
        "netpol-agent");
    RoleBinding rb =
        (RoleBinding) typed.get("RoleBinding " + NS + "/netpol-controller-leader-election");
    assertBound(rb.getSubjects(), "netpol-controller-leader-election", "netpol-controller");
    assertEquals("netpol-controller-leader-election", rb.getRoleRef().getName());
  }

  @Test
  void theConfigMapIsEtcConfigAsShipped() throws Exception {
    ConfigMap cm =
        (ConfigMap)
            typed.entrySet().stream()
                .filter(e -> e.getKey().startsWith("ConfigMap " + NS + "/netpol-config-"))
                .findFirst()
                .orElseThrow()
                .getValue();
    Map<String, String> files = new TreeMap<>();
    // the sources: a running netpol's FileInstall may have rewritten the built folder's copies
    try (Stream<Path> s = Files.list(DIST.resolve("../../src/etc/config").normalize())) {
      for (Path p : s.toList()) {
        files.put(p.getFileName().toString(), Files.readString(p));
      }
    }
    assertTrue(files.size() >= 6, files.keySet().toString());
    assertEquals(files, new TreeMap<>(cm.getData()));
  }

  @Test
  void theCrdIsThePolicyEndpointBundlesAndBothWorkloadsRunTheBuiltImage() throws Exception {
    CustomResourceDefinition crd =
        (CustomResourceDefinition)
            typed.get("CustomResourceDefinition policyendpoints.policy.netpol.dev");
    assertEquals("policy.netpol.dev", crd.getSpec().getGroup());
    assertEquals(
        Files.readString(DIST.resolve("manifests/policyendpoints.policy.netpol.dev.yaml")),
        Files.readString(
            DIST.resolve(
                "../../../bundles/policyendpoint/src/main/resources/crd/policyendpoints.policy.netpol.dev.yaml")));
    String kustomization = Files.readString(DIST.resolve("manifests/kustomization.yaml"));
    String name = field(kustomization, "newName");
    String tag = field(kustomization, "newTag");
    for (String w :
        List.of("Deployment " + NS + "/netpol-controller", "DaemonSet " + NS + "/netpol-agent")) {
      PodSpec pod =
          typed.get(w) instanceof Deployment d
              ? d.getSpec().getTemplate().getSpec()
              : ((DaemonSet) typed.get(w)).getSpec().getTemplate().getSpec();
      assertEquals(name + ":" + tag, pod.getContainers().get(0).getImage(), w);
    }
  }

  private static String field(String yaml, String key) {
    return yaml.lines()
        .filter(l -> l.strip().startsWith(key + ":"))
        .findFirst()
        .orElseThrow()
        .strip()
        .substring(key.length() + 1)
        .strip();
  }

  /** "group/resource[/subresource][[names]]" to the sorted verbs of a role; no wildcards. */
  private static Map<String, String> verbs(String role) {
    HasMetadata r = typed.get(role);
    assertNotNull(r, role);
    List<PolicyRule> rules =
        r instanceof io.fabric8.kubernetes.api.model.rbac.ClusterRole cr
            ? cr.getRules()
            : ((io.fabric8.kubernetes.api.model.rbac.Role) r).getRules();
    Map<String, String> out = new TreeMap<>();
    for (PolicyRule rule : rules) {
      assertFalse(rule.getVerbs().contains("*"), role + ": " + rule);
      assertTrue(rule.getNonResourceURLs() == null || rule.getNonResourceURLs().isEmpty());
      for (String g : rule.getApiGroups()) {
        for (String res : rule.getResources()) {
          assertFalse(g.equals("*") || res.equals("*"), role + ": " + rule);
          String names =
              rule.getResourceNames() == null || rule.getResourceNames().isEmpty()
                  ? ""
                  : rule.getResourceNames().stream()
                      .sorted()
                      .collect(Collectors.joining(",", "[", "]"));
          String key = g + "/" + res + names;
          assertNull(
              out.put(key, rule.getVerbs().stream().sorted().collect(Collectors.joining(","))),
              role + ": " + key + " twice");
        }
      }
    }
    return out;
  }

  private static void assertBound(List<Subject> subjects, String role, String serviceAccount) {
    assertEquals(1, subjects.size(), role + ": " + subjects);
    Subject s = subjects.get(0);
    assertEquals("ServiceAccount", s.getKind(), role);
    assertEquals(serviceAccount, s.getName(), role);
    assertEquals(NS, s.getNamespace(), role);
  }

  private static void assertResources(Container c) {
    var r = c.getResources();
    assertNotNull(r.getRequests().get("cpu"), c.getName());
    assertNotNull(r.getRequests().get("memory"), c.getName());
    assertNotNull(r.getLimits().get("memory"), c.getName());
  }

  private static void assertConfigMounted(PodSpec pod, Container c) {
    Volume v = volumeAt(pod, c, "/opt/netpol/etc/config");
    assertTrue(v.getConfigMap().getName().startsWith("netpol-config-"), v.toString());
    assertTrue(
        typed.containsKey("ConfigMap " + NS + "/" + v.getConfigMap().getName()),
        "the generated ConfigMap's name: " + v.getConfigMap().getName());
    assertEquals(Boolean.TRUE, mountAt(c, "/opt/netpol/etc/config").getReadOnly());
  }

  private static VolumeMount mountAt(Container c, String path) {
    return c.getVolumeMounts().stream()
        .filter(m -> m.getMountPath().equals(path))
        .findFirst()
        .orElseThrow(() -> new AssertionError(c.getName() + ": nothing mounted at " + path));
  }

  private static Volume volumeAt(PodSpec pod, Container c, String path) {
    String name = mountAt(c, path).getName();
    return pod.getVolumes().stream()
        .filter(v -> v.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no volume " + name));
  }

  private static String argAfter(Container c, String flag) {
    List<String> a = new ArrayList<>(c.getArgs());
    return a.get(a.indexOf(flag) + 1);
  }
}
