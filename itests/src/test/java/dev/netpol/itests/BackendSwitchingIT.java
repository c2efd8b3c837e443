package dev.netpol.itests;

import static org.junit.Assert.*;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;

import dev.netpol.api.BackendHealth;
import dev.netpol.api.EnforcementBackend;
import dev.netpol.api.PodKey;
import dev.netpol.api.ProgrammedPod;
import dev.netpol.api.model.PodEndpoint;
import dev.netpol.api.model.PodPolicy;
import dev.netpol.api.status.AgentControl;
import dev.netpol.api.status.AgentStatus;
import dev.netpol.api.status.BackendSwitch;
import java.nio.file.Files;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import javax.inject.Inject;
import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * The agent's backend triggers in a real Felix with the standalone profile's bundles: {@code
 * AgentControl.switchBackend}, the active backend's bundle stopping with another backend present
 * (hand-over inside the unregistering event: done when {@code stop()} returns) and with none
 * (paused, then adopted again), and a failing backend refused. The second backend is an in-process
 * one registered by the test; real packets through two real backends are {@code e2e} tests.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class BackendSwitchingIT {
  @Inject BundleContext context;
  @Inject AgentStatus agent;
  @Inject AgentControl control;
  private ServiceRegistration<EnforcementBackend> registration;

  /** An in-process backend that keeps what it is given. */
  static final class MemoryBackend implements EnforcementBackend {
    final String name;
    final Map<PodKey, ProgrammedPod> pods = new ConcurrentHashMap<>();
    final AtomicInteger releases = new AtomicInteger();
    volatile boolean healthy = true;

    MemoryBackend(String name) {
      this.name = name;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public void apply(PodEndpoint pod, PodPolicy policy) {
      pods.put(
          pod.key(),
          new ProgrammedPod(pod.key(), pod.hostInterface(), pod.addresses(), policy.digest()));
    }

    @Override
    public void remove(PodKey pod) {
      pods.remove(pod);
    }

    @Override
    public Map<PodKey, ProgrammedPod> programmed() {
      return Map.copyOf(pods);
    }

    @Override
    public BackendHealth health() {
      return healthy ? BackendHealth.ok("in memory") : BackendHealth.failing("broken on purpose");
    }

    @Override
    public void release() {
      releases.incrementAndGet();
      pods.clear();
    }
  }

  @Configuration
  public Option[] config() throws Exception {
    String data = Files.createTempDirectory("netpol-it-").toString();
    return NetpolOptions.profile(
        "standalone",
        frameworkProperty("netpol.data.dir").value(data),
        frameworkProperty("netpol.node.name").value("it-switch"),
        frameworkProperty("netpol.bpffs.root").value("/sys/fs/bpf/netpol-test-itswitch"),
        frameworkProperty("netpol.iptables.prefix").value("NPITSW"));
  }

  private MemoryBackend register(String name) {
    MemoryBackend b = new MemoryBackend(name);
    Hashtable<String, Object> props = new Hashtable<>();
    props.put(EnforcementBackend.NAME_PROPERTY, name);
    registration = context.registerService(EnforcementBackend.class, b, props);
    return b;
  }

  @After
  public void unregister() {
    if (registration != null) {
      try {
        registration.unregister();
      } catch (IllegalStateException ignored) {
        // already gone
      }
      registration = null;
    }
  }

  @Test
  public void switchesByRequestAndWhenTheActiveBackendsBundleStops() throws Exception {
    assertTrue("the agent syncs", await(agent::synced));
    assertTrue("ebpf is adopted", await(() -> agent.backend().equals("ebpf")));
    // the profile's iptables backend would be a third candidate when ebpf's bundle stops; this
    // test is about the agent's triggers with one in-process backend (real packets through both
    // real backends: e2e/BackendSwapIT)
    bundle("netpol-backend-iptables").stop();
    MemoryBackend memory = register("memory");
    assertTrue(await(() -> agent.backendsAvailable().contains("memory")));

    BackendSwitch s = control.switchBackend("memory");
    assertEquals(s.toString(), "done", s.outcome());
    assertEquals("memory", agent.backend());
    s = control.switchBackend("ebpf");
    assertEquals(s.toString(), "done", s.outcome());
    assertEquals(1, memory.releases.get());
    assertEquals(2, agent.backendSwitches());

    // the active backend's bundle stops while memory is registered: handed over before stop()
    // returns
    Bundle ebpf = bundle("netpol-backend-ebpf");
    ebpf.stop();
    assertEquals("handed over synchronously", "memory", agent.backend());
    assertEquals("ebpf", agent.lastSwitch().orElseThrow().from());
    assertTrue(agent.lastSwitch().orElseThrow().detail().contains("ebpf released"));
    // the wanted one comes back: the agent hands over to it again
    ebpf.start();
    assertTrue(await(() -> agent.backend().equals("ebpf")));
    assertEquals(2, memory.releases.get());

    // stopping the active one with nothing else present pauses; starting it adopts again
    unregister();
    ebpf.stop();
    assertEquals("paused", "", agent.backend());
    ebpf.start();
    assertTrue(await(() -> agent.backend().equals("ebpf")));

    // a backend that fails verification is refused and the old one stays
    MemoryBackend broken = register("broken");
    broken.healthy = false;
    assertTrue(await(() -> agent.backendsAvailable().contains("broken")));
    s = control.switchBackend("broken");
    assertEquals("failed", s.outcome());
    assertTrue(s.detail(), s.detail().contains("health: broken on purpose"));
    assertTrue(s.detail(), s.detail().contains("ebpf stays active"));
    assertEquals("ebpf", agent.backend());
    assertEquals(1, broken.releases.get());
    unregister();
    // the ebpf backend held no pod: its pin root holds nothing now
    java.nio.file.Path root = java.nio.file.Path.of("/sys/fs/bpf/netpol-test-itswitch");
    if (Files.isDirectory(root)) {
      try (var files = Files.walk(root)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private Bundle bundle(String symbolicName) {
    for (Bundle b : context.getBundles()) {
      if (symbolicName.equals(b.getSymbolicName())) {
        return b;
      }
    }
    throw new AssertionError("no bundle " + symbolicName);
  }

  private static boolean await(BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < end) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(50);
    }
    return false;
  }
}
