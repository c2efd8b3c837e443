package dev.netpol.agent.internal;

import static dev.netpol.agent.internal.PolicyIndexTest.chunk;
import static org.junit.jupiter.api.Assertions.*;

import dev.netpol.api.PodKey;
import dev.netpol.api.status.BackendSwitch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hand-over's order and outcomes, with in-process backends sharing one call log. */
class BackendSwitcherTest {
  static final PodKey A = new PodKey("x", "a");
  static final PodKey B = new PodKey("x", "b");
  static final PodKey C = new PodKey("x", "c");

  private AgentFixture fixture(Path dir) {
    AgentFixture f = new AgentFixture("ebpf", dir, Duration.ZERO);
    f.addPod(A, "198.18.0.1");
    f.addPod(B, "198.18.0.2");
    f.addPod(C, "198.18.0.3");
    f.index.put(chunk("p", 0, 1, "g1", List.of("198.18.1.1/32"), A, B));
    return f;
  }

  private FakeBackend startOnEbpf(AgentFixture f) {
    FakeBackend ebpf = f.backend("ebpf");
    f.register(ebpf);
    f.switcher.ensure();
    f.reconcileAll();
    assertEquals("ebpf", f.switcher.activeName());
    assertEquals(3, ebpf.programmed().size());
    f.log.clear();
    return ebpf;
  }

  @Test
  void aSwitchProgramsAndVerifiesEveryPodBeforeTheOldBackendIsReleased() {
    AgentFixture f = fixture(null);
    FakeBackend ebpf = startOnEbpf(f);
    FakeBackend ipt = f.backend("iptables");
    f.register(ipt);
    ipt.pods.put(
        new PodKey("x", "gone"),
        new dev.netpol.api.ProgrammedPod(new PodKey("x", "gone"), "v", List.of(), "d"));

    BackendSwitch s = f.switcher.switchTo("iptables");

    assertEquals("done", s.outcome(), s.toString());
    assertEquals(3, s.pods());
    assertEquals("ebpf", s.from());
    assertEquals(
        List.of(
            "iptables apply x/a",
            "iptables apply x/b",
            "iptables apply x/c",
            "iptables remove x/gone",
            "ebpf release"),
        f.log,
        "make-before-break, and nothing reaches the old backend after the switch started");
    assertSame(ipt, f.switcher.active());
    assertEquals(f.reconciler.programmed().get(A), ipt.programmed().get(A).policyDigest());
    assertTrue(ebpf.programmed().isEmpty());
    assertEquals(1, f.switcher.switches());
    assertEquals("iptables", f.switcher.wanted());
    assertEquals(List.of("iptables"), List.copyOf(f.records.all().keySet()));
    assertTrue(s.detail().contains("ebpf released"), s.detail());
  }

  @Test
  void aNewBackendThatFailsToProgramLeavesTheOldOneActiveAndSaysWhy() {
    AgentFixture f = fixture(null);
    FakeBackend ebpf = startOnEbpf(f);
    FakeBackend ipt = f.backend("iptables");
    f.register(ipt);
    ipt.failOn = B;

    BackendSwitch s = f.switcher.switchTo("iptables");

    assertEquals("failed", s.outcome());
    assertTrue(s.detail().contains("pod x/b: injected failure"), s.detail());
    assertTrue(s.detail().contains("ebpf stays active"), s.detail());
    // every pod goes to the new backend in one applyAll: x/b fails alone, then all is released
    assertEquals(
        List.of(
            "iptables apply x/a", "iptables apply x/b", "iptables apply x/c", "iptables release"),
        f.log,
        "the partial state is released; the old backend is not touched");
    assertEquals(List.of(3), ipt.batches, "one batch of every pod");
    assertSame(ebpf, f.switcher.active());
    assertEquals(3, ebpf.programmed().size());
    assertEquals("ebpf", f.switcher.wanted(), "a failed request changes nothing");
    assertEquals(0, f.switcher.switches());
    assertEquals(s, f.switcher.lastSwitch().orElseThrow());
    assertEquals(List.of("ebpf"), List.copyOf(f.records.all().keySet()));
  }

  @Test
  void verificationChecksDigestsAndHealth() {
    AgentFixture f = fixture(null);
    FakeBackend ebpf = startOnEbpf(f);
    FakeBackend ipt = f.backend("iptables");
    f.register(ipt);
    ipt.wrongDigest = true;
    BackendSwitch s = f.switcher.switchTo("iptables");
    assertEquals("failed", s.outcome());
    assertTrue(s.detail().startsWith("verification: x/a has 0000, not "), s.detail());
    ipt.wrongDigest = false;
    ipt.healthy = false;
    s = f.switcher.switchTo("iptables");
    assertEquals("failed", s.outcome());
    assertTrue(s.detail().startsWith("health: injected"), s.detail());
    assertSame(ebpf, f.switcher.active());
    assertFalse(f.log.contains("ebpf release"));
  }

  @Test
  void aPodWaitingForACompletePolicyFailsTheSwitch() {
    AgentFixture f = fixture(null);
    startOnEbpf(f);
    f.register(f.backend("iptables"));
    f.index.put(chunk("q", 0, 2, "g1", List.of(), A)); // half of a new policy
    BackendSwitch s = f.switcher.switchTo("iptables");
    assertEquals("failed", s.outcome());
    assertTrue(s.detail().contains("waiting for a complete PolicyEndpoint set of x/q"), s.detail());
  }

  @Test
  void aChangedSettingSwitchesAndAFailedTargetIsNotRetriedUntilItReregisters() {
    AgentFixture f = fixture(null);
    FakeBackend ebpf = startOnEbpf(f);
    FakeBackend ipt = f.backend("iptables");
    ipt.healthy = false;
    f.register(ipt);
    f.switcher.settingChanged("iptables");
    assertSame(ebpf, f.switcher.active());
    assertTrue(
        f.switcher.problem().contains("switch to iptables failed: health"), f.switcher.problem());
    int calls = f.log.size();
    f.switcher.ensure(); // a resync
    assertEquals(calls, f.log.size(), "not retried on every resync");
    f.switcher.settingChanged("iptables"); // another key of the file changed
    assertEquals(calls, f.log.size());

    f.unregister(ipt);
    FakeBackend ipt2 = f.backend("iptables");
    f.register(ipt2);
    f.switcher.ensure();
    assertSame(ipt2, f.switcher.active(), "a new registration is tried again");
    assertTrue(f.log.contains("ebpf release"));
    assertEquals("setting netpol.backend", f.switcher.wantedBy());
  }

  @Test
  void aCommandSwitchSurvivesUnrelatedSettingChanges() {
    AgentFixture f = fixture(null);
    startOnEbpf(f);
    FakeBackend ipt = f.backend("iptables");
    f.register(ipt);
    assertEquals("done", f.switcher.switchTo("iptables").outcome());
    f.switcher.settingChanged("ebpf"); // the file still says ebpf; another key changed
    f.switcher.ensure();
    assertSame(ipt, f.switcher.active());
    assertEquals("command", f.switcher.wantedBy());
  }

  @Test
  void theActiveBackendStoppingHandsOverToAnotherWhileItIsStillUsable() {
    AgentFixture f = fixture(null);
    FakeBackend ebpf = startOnEbpf(f);
    FakeBackend ipt = f.backend("iptables");
    f.register(ipt);
    Object id = f.idOf(ebpf);
    f.switcher.unregistering(id); // the framework's UNREGISTERING event, before the bundle stops
    f.unregister(ebpf);
    assertSame(ipt, f.switcher.active());
    assertEquals(
        List.of("iptables apply x/a", "iptables apply x/b", "iptables apply x/c", "ebpf release"),
        f.log);
    assertTrue(f.switcher.lastSwitch().orElseThrow().detail().contains("ebpf released"));
    f.switcher.ensure();
    assertSame(ipt, f.switcher.active(), "stays on the backend that is there");

    // the wanted one comes back: hand over to it again
    FakeBackend ebpf2 = f.backend("ebpf");
    f.register(ebpf2);
    f.switcher.ensure();
    assertSame(ebpf2, f.switcher.active());
    assertTrue(ipt.programmed().isEmpty());
  }

  @Test
  void aStoppedBackendsStateEnforcesUntilAnotherTakesOverAndIsThenReleasedByCommand(
      @TempDir Path dir) throws Exception {
    AgentFixture f = fixture(dir.resolve("backends"));
    FakeBackend ebpf = startOnEbpf(f);
    f.switcher.unregistering(f.idOf(ebpf)); // nothing else registered: pause
    f.unregister(ebpf);
    assertNull(f.switcher.active());
    assertEquals(List.of(), f.log, "its state is left enforcing");
    assertTrue(Files.exists(dir.resolve("backends/ebpf")), "and recorded");
    assertEquals("ebpf\nrelease\n", Files.readString(dir.resolve("backends/ebpf")));
    assertEquals(
        "rw-------",
        java.nio.file.attribute.PosixFilePermissions.toString(
            Files.getPosixFilePermissions(dir.resolve("backends/ebpf"))));
    f.reconcileAll(); // no backend: nothing programmed, pods pending
    assertEquals("pending", f.reconciler.status(A).orElseThrow().state());

    FakeBackend ipt = f.backend("iptables");
    f.register(ipt);
    f.releaseFails = true;
    f.switcher.ensure();
    assertSame(ipt, f.switcher.active(), "verified, so it takes over");
    assertEquals(3, ipt.programmed().size());
    assertTrue(f.switcher.leftovers().get("ebpf").contains("injected release failure"));
    assertTrue(Files.exists(dir.resolve("backends/ebpf")));

    f.releaseFails = false;
    f.switcher.ensure(); // the next resync
    assertEquals(List.of("ebpf ebpf release"), f.released);
    assertFalse(Files.exists(dir.resolve("backends/ebpf")));
    assertTrue(f.switcher.leftovers().isEmpty());
  }

  @Test
  void afterARestartRecordedLeftoversAreReleasedOnceTheWantedBackendIsVerified(@TempDir Path dir) {
    AgentFixture before = fixture(dir);
    startOnEbpf(before);
    before.register(before.backend("iptables"));
    assertEquals("done", before.switcher.switchTo("iptables").outcome());
    // restart with netpol.backend=ebpf and only the ebpf bundle in the profile
    AgentFixture after = fixture(dir);
    FakeBackend ebpf = after.backend("ebpf");
    after.register(ebpf);
    after.switcher.ensure();
    assertSame(ebpf, after.switcher.active());
    BackendSwitch s = after.switcher.lastSwitch().orElseThrow();
    assertEquals("done", s.outcome(), s.toString());
    assertTrue(s.detail().startsWith("3 pods programmed and verified on ebpf"), s.detail());
    assertEquals(List.of("iptables iptables release"), after.released);
    assertEquals(List.of("ebpf"), List.copyOf(after.records.all().keySet()));
  }

  @Test
  void theSameBackendOnOtherKernelObjectsTakesOverAndTheOldOnesAreReleased(@TempDir Path dir)
      throws Exception {
    AgentFixture before = fixture(dir);
    FakeBackend old = before.backend("ebpf");
    before.register(old, "ebpf", "--root", "/sys/fs/bpf/r1", "release");
    before.switcher.ensure();
    before.reconcileAll();
    // restarted on another pin root
    AgentFixture after = fixture(dir);
    FakeBackend ebpf = after.backend("ebpf");
    after.register(ebpf, "ebpf", "--root", "/sys/fs/bpf/r2", "release");
    after.switcher.ensure();
    assertSame(ebpf, after.switcher.active());
    assertEquals(
        List.of("ebpf apply x/a", "ebpf apply x/b", "ebpf apply x/c"),
        after.log.subList(after.log.size() - 3, after.log.size()),
        "a hand-over, not an adoption");
    assertEquals(List.of("ebpf.1 ebpf --root /sys/fs/bpf/r1 release"), after.released);
    assertEquals(List.of("ebpf"), List.copyOf(after.records.all().keySet()));
    assertEquals("ebpf\n--root\n/sys/fs/bpf/r2\nrelease\n", Files.readString(dir.resolve("ebpf")));
  }

  @Test
  void requestsForUnknownBackendsOrBeforeSyncFailClearly() {
    AgentFixture f = fixture(null);
    startOnEbpf(f);
    BackendSwitch s = f.switcher.switchTo("nft");
    assertEquals("failed", s.outcome());
    assertEquals("no backend named 'nft' is registered (available: ebpf)", s.detail());
    f.register(f.backend("iptables"));
    f.synced = false;
    s = f.switcher.switchTo("iptables");
    assertEquals("failed", s.outcome());
    assertTrue(s.detail().contains("not synced"), s.detail());
    assertEquals("ebpf", f.switcher.activeName());
    s = f.switcher.switchTo("ebpf");
    assertEquals("failed", s.outcome(), "not synced either");
  }

  @Test
  void atStartTheWantedBackendGetsAGraceBeforeAnyOtherIsAdopted() {
    AgentFixture f = new AgentFixture("ebpf", null, Duration.ofHours(1));
    f.register(f.backend("iptables"));
    f.switcher.ensure();
    assertNull(f.switcher.active());
    assertEquals("backend ebpf is not registered", f.switcher.problem());
    FakeBackend ebpf = f.backend("ebpf");
    f.register(ebpf);
    f.switcher.ensure();
    assertSame(ebpf, f.switcher.active());

    AgentFixture g = new AgentFixture("ebpf", null, Duration.ZERO);
    FakeBackend ipt = g.backend("iptables");
    g.register(ipt);
    g.switcher.ensure();
    assertSame(ipt, g.switcher.active(), "after the grace, any backend beats none");
  }
}
