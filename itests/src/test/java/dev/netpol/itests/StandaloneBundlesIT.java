package dev.netpol.itests;

import static org.junit.Assert.*;

import java.util.ArrayList;
import java.util.List;
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
import org.osgi.framework.Constants;
import org.osgi.service.cm.ConfigurationAdmin;

/** Boots the standalone profile's real bundles in Felix and checks the platform is whole. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class StandaloneBundlesIT {
  @Inject BundleContext context;
  @Inject ConfigurationAdmin configAdmin;

  @Configuration
  public Option[] config() {
    try {
      return NetpolOptions.profile(
          "standalone",
          org.ops4j.pax.exam.CoreOptions.frameworkProperty("netpol.data.dir")
              .value(java.nio.file.Files.createTempDirectory("netpol-it-").toString()),
          org.ops4j.pax.exam.CoreOptions.frameworkProperty("netpol.node.name").value("it-node"));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  public void everyBundleOfTheProfileIsActive() {
    List<String> notActive = new ArrayList<>();
    int netpol = 0;
    for (Bundle b : context.getBundles()) {
      boolean fragment = b.getHeaders().get(Constants.FRAGMENT_HOST) != null;
      if (b.getState() != Bundle.ACTIVE && !(fragment && b.getState() == Bundle.RESOLVED)) {
        notActive.add(b.getSymbolicName() + " state " + b.getState());
      }
      if (b.getSymbolicName().startsWith("netpol")) {
        netpol++;
      }
    }
    assertEquals("bundles not active: " + notActive, List.of(), notActive);
    assertTrue("netpol bundles installed: " + netpol, netpol >= 10);
  }

  @Test
  public void everyGuiceWiredBundleListensForItsConfiguration() throws Exception {
    assertNotNull(configAdmin);
    for (String pid : new String[] {"netpol-agent", "netpol-watch", "netpol-apiserver"}) {
      assertNotNull(
          "ManagedService " + pid,
          context.getServiceReferences(
              "org.osgi.service.cm.ManagedService", "(service.pid=" + pid + ")"));
    }
  }
}
