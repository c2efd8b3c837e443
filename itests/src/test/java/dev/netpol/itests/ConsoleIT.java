package dev.netpol.itests;

import static org.junit.Assert.*;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * The web console and the metrics endpoint of the standalone profile over real HTTP: loopback only,
 * a generated password (0600), 401 without or with wrong credentials, every netpol page served, 403
 * for a state-changing request without the CSRF token (on Felix's own pages too), and /metrics,
 * /healthz, /readyz.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ConsoleIT {
  private static final String[] PAGES = {
    "netpol-policies",
    "netpol-pods",
    "netpol-backend",
    "netpol-ebpf",
    "netpol-verdicts",
    "netpol-reachability"
  };
  private final HttpClient http = HttpClient.newHttpClient();
  @Inject BundleContext context;

  @Configuration
  public Option[] config() throws Exception {
    String hex = HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt(1 << 16));
    return NetpolOptions.profile(
        "standalone",
        frameworkProperty("netpol.data.dir")
            .value(Files.createTempDirectory("netpol-it-console-").toString()),
        frameworkProperty("netpol.node.name").value("it-console"),
        frameworkProperty("netpol.bpffs.root").value("/sys/fs/bpf/netpol-test-console" + hex),
        frameworkProperty("netpol.serviceproxy.chain-prefix").value("NPC" + hex),
        frameworkProperty("netpol.console.address").value("127.0.0.1:" + freePort()),
        frameworkProperty("netpol.metrics.address").value("127.0.0.1:" + freePort()));
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private String console() {
    return "http://" + context.getProperty("netpol.console.address") + "/system/console/";
  }

  private String password() throws Exception {
    Path file = Path.of(context.getProperty("netpol.data.dir"), "console.password");
    assertTrue("password file " + file, await(() -> Files.isRegularFile(file)));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    String pw = Files.readString(file).trim();
    assertTrue("a generated password, not Felix's default", pw.length() >= 20);
    return pw;
  }

  private HttpResponse<String> get(String url, String user, String password) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
    if (user != null) {
      b.header("Authorization", basic(user, password));
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String url, String password, String token, String form)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form));
    if (password != null) {
      b.header("Authorization", basic("admin", password));
    }
    if (token != null) {
      b.header("X-Netpol-CSRF", token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /** The console answers once Jetty got its configuration and the provider is registered. */
  private void awaitConsole(String pw) throws Exception {
    assertTrue(
        "console up at " + console(),
        await(
            () -> {
              try {
                return get(console() + "netpol-pods", "admin", pw).statusCode() == 200;
              } catch (Exception e) {
                return false;
              }
            }));
  }

  @Test
  public void credentialsAreRequiredAndOnlyTheGeneratedPasswordIsAccepted() throws Exception {
    String pw = password();
    awaitConsole(pw);
    for (String page : PAGES) {
      HttpResponse<String> none = get(console() + page, null, null);
      assertEquals(page + " without credentials", 401, none.statusCode());
      assertTrue(
          none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic realm="));
      assertEquals(
          page + " wrong password", 401, get(console() + page, "admin", "admin").statusCode());
      assertEquals(page + " wrong user", 401, get(console() + page, "root", pw).statusCode());
      HttpResponse<String> ok = get(console() + page, "admin", pw);
      assertEquals(page, 200, ok.statusCode());
      assertTrue(page + " is framed by the console", ok.body().contains("id='content'"));
      assertTrue(page + " has the token script", ok.body().contains("window.netpolCsrf="));
      assertEquals("DENY", ok.headers().firstValue("X-Frame-Options").orElse(""));
    }
    assertTrue(get(console() + "netpol-pods", "admin", pw).body().contains("Node it-console"));
    assertTrue(
        get(console() + "netpol-ebpf", "admin", pw)
            .body()
            .contains("<h2 class='netpol'>Maps</h2>"));
    assertTrue(
        get(console() + "netpol-reachability", "admin", pw)
            .body()
            .contains("id='netpol-reach-form'"));
    assertEquals(401, get(console() + "bundles", null, null).statusCode());
    assertTrue(
        "Felix's own pages get the token script too",
        get(console() + "bundles", "admin", pw).body().contains("window.netpolCsrf="));
  }

  @Test
  public void aStateChangingRequestWithoutTheTokenIsForbidden() throws Exception {
    String pw = password();
    awaitConsole(pw);
    String page = get(console() + "netpol-backend", "admin", pw).body();
    Matcher m = Pattern.compile("var t='([A-Za-z0-9_-]+)'").matcher(page);
    assertTrue("token in the page", m.find());
    String token = m.group(1);
    String form = "action=switch&to=no-such-backend";

    assertEquals(401, post(console() + "netpol-backend", null, token, form).statusCode());
    assertEquals(403, post(console() + "netpol-backend", pw, null, form).statusCode());
    assertEquals(403, post(console() + "netpol-backend", pw, token + "x", form).statusCode());
    assertEquals(
        403,
        post(console() + "netpol-backend", pw, null, form + "&_csrf=" + token + "x").statusCode());
    assertEquals(
        "the header token is accepted (a redirect back to the page)",
        302,
        post(console() + "netpol-backend", pw, token, form).statusCode());
    assertEquals(
        "so is the form field",
        302,
        post(console() + "netpol-backend", pw, null, form + "&_csrf=" + token).statusCode());

    Bundle log = bundle("org.apache.felix.log");
    HttpResponse<String> stop =
        post(console() + "bundles/" + log.getBundleId(), pw, null, "action=stop");
    assertEquals("Felix's own actions need the token too", 403, stop.statusCode());
    assertEquals(Bundle.ACTIVE, log.getState());
  }

  @Test
  public void theListenersAreOnLoopback() throws Exception {
    String pw = password();
    awaitConsole(pw);
    String endpoints =
        java.util.Arrays.toString(
            (String[])
                context
                    .getServiceReferences(
                        "org.osgi.service.servlet.runtime.HttpServiceRuntime", null)[0]
                    .getProperty("osgi.http.endpoint"));
    assertTrue(endpoints, endpoints.contains("http://127.0.0.1:"));
    assertFalse(endpoints, endpoints.contains("0.0.0.0"));
  }

  @Test
  public void metricsAndHealthAnswerWithoutCredentials() throws Exception {
    String base = "http://" + context.getProperty("netpol.metrics.address");
    assertTrue(
        "ready once the agent synced",
        await(
            () -> {
              try {
                return get(base + "/readyz", null, null).statusCode() == 200;
              } catch (Exception e) {
                return false;
              }
            }));
    assertEquals(200, get(base + "/healthz", null, null).statusCode());
    HttpResponse<String> m = get(base + "/metrics", null, null);
    assertEquals(200, m.statusCode());
    assertTrue(m.body(), m.body().contains("# TYPE netpol_agent_synced gauge"));
    assertTrue(m.body(), m.body().contains("netpol_agent_synced 1.0"));
    assertTrue(m.body(), m.body().contains("netpol_backend_active{backend=\"ebpf\"} 1.0"));
    assertTrue(
        m.body(), m.body().contains("# TYPE netpol_agent_programming_latency_seconds histogram"));
  }

  /**
   * The switch as an operator goes through it: the link, the confirmation with its token, the POST,
   * the result page; the agent's real hand-over runs (to a second registered backend that holds
   * nothing, and back to ebpf the same way).
   */
  @Test
  public void aBackendSwitchIsConfirmedPostedWithTheTokenAndItsResultShown() throws Exception {
    String pw = password();
    awaitConsole(pw);
    var standby = new StandbyBackend();
    var reg =
        context.registerService(
            dev.netpol.api.EnforcementBackend.class,
            standby,
            new java.util.Hashtable<>(
                java.util.Map.of(dev.netpol.api.EnforcementBackend.NAME_PROPERTY, "standby")));
    try {
      switchThroughTheConsole(pw, "ebpf", "standby");
      switchThroughTheConsole(pw, "standby", "ebpf");
    } finally {
      reg.unregister();
    }
  }

  private void switchThroughTheConsole(String pw, String from, String to) throws Exception {
    assertTrue(
        "the page offers the switch to " + to,
        await(
            () -> {
              try {
                return get(console() + "netpol-backend", "admin", pw)
                    .body()
                    .contains("?confirm=" + to);
              } catch (Exception e) {
                return false;
              }
            }));
    String confirm = get(console() + "netpol-backend?confirm=" + to, "admin", pw).body();
    assertTrue(confirm, confirm.contains("Switch the backend from " + from + " to " + to + "?"));
    Matcher field = Pattern.compile("name='_csrf' value='([A-Za-z0-9_-]+)'").matcher(confirm);
    assertTrue("the confirmation form carries the token", field.find());
    String form = "action=switch&to=" + to;
    assertEquals(403, post(console() + "netpol-backend", pw, null, form).statusCode());
    assertEquals("nothing switched without the token", from, agent().backend());
    HttpResponse<String> posted =
        post(console() + "netpol-backend", pw, null, form + "&_csrf=" + field.group(1));
    assertEquals(302, posted.statusCode());
    String result = posted.headers().firstValue("Location").orElseThrow();
    assertTrue(result, result.contains("netpol-backend?switch="));
    String shown = URI.create(console()).resolve(result).toString();
    assertTrue(
        "the result page shows the hand-over done",
        await(
            () -> {
              try {
                String body = get(shown, "admin", pw).body();
                return body.contains("Switch from " + from + " to " + to)
                    && body.contains(">done<");
              } catch (Exception e) {
                return false;
              }
            }));
    assertEquals(to, agent().backend());
    assertEquals(to, agent().lastSwitch().map(dev.netpol.api.status.BackendSwitch::to).orElse(""));
  }

  private dev.netpol.api.status.AgentStatus agent() {
    var r = context.getServiceReference(dev.netpol.api.status.AgentStatus.class);
    assertNotNull("the agent's status service", r);
    return context.getService(r);
  }

  /** A registered backend that holds nothing: something to switch to. */
  static final class StandbyBackend implements dev.netpol.api.EnforcementBackend {
    @Override
    public String name() {
      return "standby";
    }

    @Override
    public void apply(dev.netpol.api.model.PodEndpoint pod, dev.netpol.api.model.PodPolicy p) {}

    @Override
    public void remove(dev.netpol.api.PodKey pod) {}

    @Override
    public java.util.Map<dev.netpol.api.PodKey, dev.netpol.api.ProgrammedPod> programmed() {
      return java.util.Map.of();
    }

    @Override
    public dev.netpol.api.BackendHealth health() {
      return dev.netpol.api.BackendHealth.ok("holds nothing");
    }

    @Override
    public void release() {}
  }

  private Bundle bundle(String name) {
    for (Bundle b : context.getBundles()) {
      if (name.equals(b.getSymbolicName())) {
        return b;
      }
    }
    throw new AssertionError("no bundle " + name);
  }

  private static boolean await(java.util.function.BooleanSupplier c) throws InterruptedException {
    long end = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < end) {
      if (c.getAsBoolean()) {
        return true;
      }
      Thread.sleep(100);
    }
    return false;
  }
}
