package dev.netpol.itests.e2e;

import static org.junit.jupiter.api.Assertions.*;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * netpol's console pages in a real browser (Debian's chromium, headless, driven by Selenium through
 * chromium-driver) against a running standalone node with two lab pods and a policy: every page is
 * loaded and its content checked, with clicks, typed filters and forms as an operator uses them; a
 * screenshot of each is kept in {@code itests/target/console/}. Lab addresses 198.18.160.0/24.
 */
@EnabledIfSystemProperty(named = "netpol.kernel.tests", matches = "true")
class ConsoleBrowserIT {
  private static final String POLICIES =
      """
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {namespace: shop, name: default-deny}
      spec: {podSelector: {}, policyTypes: [Ingress]}
      ---
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {namespace: shop, name: web-from-client}
      spec:
        podSelector: {matchLabels: {pod: web}}
        ingress:
        - from: [{podSelector: {matchLabels: {pod: client}}}]
          ports: [{port: 80, protocol: TCP}]
      """;

  private static final Path SHOTS = Path.of("target", "console");
  private WebDriver browser;
  private String base;

  @Test
  void everyPageShowsTheNodeAsItIs() throws Exception {
    long t0 = System.nanoTime();
    Files.createDirectories(SHOTS);
    try (E2eRun run = new E2eRun()) {
      int port = E2eRun.freePort();
      NetpolProcess s =
          NetpolProcess.standalone(
              "np-ui",
              run.work.resolve("s"),
              run.pinRoot("ui"),
              "NPU" + run.hex,
              List.of(
                  "netpol.console.address=127.0.0.1:" + port,
                  "netpol.metrics.address=127.0.0.1:0"));
      run.onClose(() -> s.stop(20));
      s.awaitInSync(60);
      s.awaitLog("web console at http://127.0.0.1:" + port + "/system/console/", 30);
      assertTrue(
          s.log().contains("password in " + s.dataDir.resolve("console.password")), s.tail());
      String password = Files.readString(s.dataDir.resolve("console.password")).trim();

      LabCli lab =
          new LabCli(
              s.kubeconfig(), run.work.resolve("lab"), "198.18.160.0/24", "fd00:198:18:a0::/64");
      run.onClose(() -> lab.down(s.alive()));
      List<Cli.Result> added =
          Cli.netpolParallel(
              lab.args(
                  "pod",
                  "add",
                  "shop/web",
                  "--labels",
                  "pod=web",
                  "--serve",
                  "80/tcp,81/tcp",
                  "--node",
                  "np-ui"),
              lab.args(
                  "pod",
                  "add",
                  "shop/client",
                  "--labels",
                  "pod=client",
                  "--serve",
                  "8080/tcp",
                  "--node",
                  "np-ui"));
      LabCli.Pod web = LabCli.parseAdded(added.get(0));
      LabCli.Pod client = LabCli.parseAdded(added.get(1));
      long applied = System.nanoTime();
      Cli.Result r = run.apply(s.kubeconfig(), "policies", POLICIES);
      assertEquals(0, r.exit(), r.toString());
      assertTrue(
          TcpProbe.until(false, client.netns(), web.ipv4(), 81, applied, 15_000) >= 0,
          "client -> web:81 is denied\n" + s.tail());
      assertTrue(
          TcpProbe.connects(client.netns(), web.ipv4(), 80, 1), "client -> web:80 is allowed");

      browser = chromium(run.work.resolve("chromium-profile"));
      run.onClose(browser::quit);
      base = "http://127.0.0.1:" + port + "/system/console/";
      // Basic credentials once, in the URL; the browser keeps them for the origin
      browser.get(
          "http://admin:" + password + "@127.0.0.1:" + port + "/system/console/netpol-pods");
      open("netpol-pods");
      assertEquals("netpol console - Pods", browser.getTitle());

      pods(web, client);
      policies(client);
      backend();
      ebpf(web);
      verdicts(client, web);
      reachability();
      System.out.printf(
          "ConsoleBrowserIT: %d pages checked in %d ms (screenshots in %s)%n",
          8, (System.nanoTime() - t0) / 1_000_000, SHOTS.toAbsolutePath());
    }
  }

  private void pods(LabCli.Pod web, LabCli.Pod client) throws Exception {
    String table = text("netpol-pods");
    assertTrue(table.contains("shop/web") && table.contains("shop/client"), table);
    assertTrue(table.contains("programmed"), table);
    shot("pods");
    follow(browser.findElement(By.linkText("shop/web")));
    String detail = content();
    assertTrue(detail.contains("Pod shop/web"), detail);
    assertTrue(detail.contains("shop/web-from-client"), detail);
    assertTrue(detail.contains(client.ipv4() + "/32"), detail);
    assertTrue(detail.contains("TCP/80"), detail);
    assertTrue(detail.contains("Not isolated"), "egress is open: " + detail);
    shot("pod-detail");
  }

  private void policies(LabCli.Pod client) throws Exception {
    open("netpol-policies");
    String table = text("netpol-policies");
    assertTrue(
        table.contains("shop/web-from-client") && table.contains("shop/default-deny"), table);
    shot("policies");
    follow(browser.findElement(By.linkText("shop/web-from-client")));
    String detail = content();
    assertTrue(detail.contains("PolicyEndpoint"), detail);
    assertTrue(detail.contains(client.ipv4() + "/32"), detail);
    assertTrue(detail.contains("TCP/80"), detail);
    assertTrue(detail.contains("isolates Ingress"), detail);
    shot("policy-detail");
  }

  private void backend() throws Exception {
    open("netpol-backend");
    String table = text("netpol-backends");
    assertTrue(table.contains("ebpf") && table.contains("active"), table);
    assertTrue(table.contains("healthy"), table);
    shot("backend");
  }

  private void ebpf(LabCli.Pod web) throws Exception {
    // one program pair per node; a pod's rule trie is np_policy's entry for its host ifindex
    String slot =
        "/global/np_policy["
            + java.nio.file.Files.readString(
                    java.nio.file.Path.of("/sys/class/net", web.hostLink(), "ifindex"))
                .trim()
            + "]";
    open("netpol-ebpf");
    String progs = text("netpol-programs");
    assertTrue(progs.contains("netpol_ingress") && progs.contains("netpol_egress"), progs);
    String maps = text("netpol-maps");
    assertTrue(maps.contains("np_conntrack") && maps.contains("/global/np_conntrack"), maps);
    shot("ebpf");
    WebElement row =
        browser.findElements(By.cssSelector("#netpol-maps tbody tr")).stream()
            .filter(tr -> tr.getText().contains("np_rules") && tr.getText().contains(slot))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no ingress rule map of shop/web: " + maps));
    follow(row.findElement(By.linkText("dump")));
    List<WebElement> entries = browser.findElements(By.cssSelector("#netpol-map-dump tbody tr"));
    assertFalse(entries.isEmpty(), content());
    assertTrue(content().contains("LPM_TRIE"), content());
    assertTrue(content().contains("pinned at " + slot), content());
    shot("ebpf-map");
  }

  private void verdicts(LabCli.Pod client, LabCli.Pod web) throws Exception {
    open("netpol-verdicts");
    WebElement pod = browser.findElement(By.id("netpol-filter-pod"));
    pod.clear();
    pod.sendKeys("shop/web");
    new Select(browser.findElement(By.id("netpol-filter-verdict"))).selectByValue("denied");
    new Select(browser.findElement(By.id("netpol-filter-direction"))).selectByValue("ingress");
    follow(browser.findElement(By.cssSelector("#netpol-verdict-filter button")));
    // a new denied flow while the page is open: the page's polling must bring it in
    assertFalse(TcpProbe.connects(client.netns(), web.ipv4(), 81, 0.5));
    String wanted = web.ipv4() + ":81";
    new WebDriverWait(browser, Duration.ofSeconds(15))
        .until(d -> d.findElement(By.id("netpol-verdicts")).getText().contains(wanted));
    String table = text("netpol-verdicts");
    assertTrue(table.contains("denied") && table.contains("shop/web"), table);
    assertFalse(table.contains("allowed"), "the filter keeps denials only: " + table);
    assertFalse(table.contains(":80 "), "no allowed port-80 flows: " + table);
    shot("verdicts");
  }

  private void reachability() throws Exception {
    check("shop/client", "shop/web", "80");
    String allowed = content();
    assertTrue(verdict().contains("ALLOWED"), allowed);
    assertTrue(text("netpol-reach-steps").contains("shop/web-from-client"), allowed);
    assertTrue(text("netpol-reach-steps").contains("#1"), allowed);
    shot("reachability");
    check("shop/client", "shop/web", "81");
    assertTrue(verdict().contains("DENIED"), content());
    assertTrue(text("netpol-reach-steps").contains("admits the address on TCP/80 only"), content());
    shot("reachability-denied");
  }

  private void check(String from, String to, String port) {
    open("netpol-reachability");
    type("netpol-reach-from", from);
    type("netpol-reach-to", to);
    type("netpol-reach-port", port);
    new Select(browser.findElement(By.id("netpol-reach-protocol"))).selectByValue("TCP");
    follow(browser.findElement(By.id("netpol-reach-check")));
  }

  /** Clicks a link or submit button and waits until the page it leads to has replaced this one. */
  private void follow(WebElement element) {
    element.click();
    // click() may return before the navigation it starts has replaced the page
    WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(15));
    wait.until(ExpectedConditions.stalenessOf(element));
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("content")));
  }

  private String verdict() {
    return new WebDriverWait(browser, Duration.ofSeconds(15))
        .until(ExpectedConditions.presenceOfElementLocated(By.id("netpol-reach-verdict")))
        .getText();
  }

  private void type(String id, String value) {
    WebElement e = browser.findElement(By.id(id));
    e.clear();
    e.sendKeys(value);
  }

  private void open(String label) {
    browser.get(base + label);
    assertFalse(
        browser.getPageSource().contains("HTTP ERROR"), label + ": " + browser.getPageSource());
    browser.findElement(By.id("content"));
  }

  private String text(String id) {
    return browser.findElement(By.id(id)).getText();
  }

  private String content() {
    return browser.findElement(By.id("content")).getText();
  }

  /** A screenshot as tall as the page's content (a fixed window leaves most of it blank). */
  private void shot(String name) throws Exception {
    Number outer =
        (Number)
            ((org.openqa.selenium.JavascriptExecutor) browser)
                .executeScript(
                    "var c=document.getElementById('content');"
                        + "var bottom=Math.ceil((c||document.body).getBoundingClientRect().bottom+window.scrollY);"
                        + "return bottom+24+(window.outerHeight-window.innerHeight);");
    browser
        .manage()
        .window()
        .setSize(new org.openqa.selenium.Dimension(1366, Math.max(360, outer.intValue())));
    byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
    Files.write(SHOTS.resolve(name + ".png"), png);
  }

  /** Debian's chromium, headless, with a fresh profile, reaching nothing but this node. */
  private static WebDriver chromium(Path profile) throws Exception {
    Files.createDirectories(profile);
    ChromeOptions o = new ChromeOptions();
    o.setBinary("/usr/bin/chromium");
    o.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--user-data-dir=" + profile,
        "--window-size=1366,900");
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File("/usr/bin/chromedriver"))
            .usingAnyFreePort()
            .build();
    WebDriver d = new ChromeDriver(service, o);
    d.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    return d;
  }
}
