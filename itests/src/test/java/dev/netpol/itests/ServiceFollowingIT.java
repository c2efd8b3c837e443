package dev.netpol.itests;

import static org.junit.Assert.*;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;

import dev.netpol.api.status.AgentStatus;
import dev.netpol.watch.ApiEndpoint;
import dev.netpol.watch.KubeCluster;
import java.nio.file.Files;
import java.util.function.BooleanSupplier;
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
 * The standalone profile's core services are registered, and when a bundle that provides a service
 * stops and starts again, its consumers follow without being restarted.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ServiceFollowingIT {
  @Inject BundleContext context;
  @Inject AgentStatus agent;

  @Configuration
  public Option[] config() throws Exception {
    String data = Files.createTempDirectory("netpol-it-").toString();
    return NetpolOptions.profile(
        "standalone",
        frameworkProperty("netpol.data.dir").value(data),
        frameworkProperty("netpol.node.name").value("it-node"));
  }

  @Test
  public void coreServicesAreRegistered() throws Exception {
    for (String type :
        new String[] {
          ApiEndpoint.class.getName(),
          KubeCluster.class.getName(),
          AgentStatus.class.getName(),
          "org.osgi.service.cm.ConfigurationAdmin",
          "org.osgi.service.component.runtime.ServiceComponentRuntime"
        }) {
      assertTrue(type + " is registered", await(() -> context.getServiceReference(type) != null));
    }
    assertEquals("it-node", agent.nodeName());
  }

  @Test
  public void consumersFollowAProviderBundleThatStopsAndStarts() throws Exception {
    Bundle api = bundle("netpol-apiserver");
    assertTrue(
        "the agent connects through the embedded API",
        await(() -> context.getServiceReference(KubeCluster.class) != null));
    assertTrue("the agent syncs its pods and policyendpoints", await(agent::synced));
    api.stop();
    assertTrue(
        "the cluster service goes with the API",
        await(() -> context.getServiceReference(KubeCluster.class) == null));
    // service events reach the agent on its reference's notifier thread, a moment later
    assertTrue("the agent notices", await(() -> !agent.synced()));
    api.start();
    assertTrue(
        "the cluster service comes back",
        await(() -> context.getServiceReference(KubeCluster.class) != null));
    assertEquals("the agent was not restarted", Bundle.ACTIVE, bundle("netpol-agent").getState());
    assertTrue("the same agent instance re-syncs with the new API", await(agent::synced));
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
