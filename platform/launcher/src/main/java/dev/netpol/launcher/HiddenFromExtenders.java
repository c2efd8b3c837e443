package dev.netpol.launcher;

import java.util.Collection;
import java.util.Map;
import java.util.function.Predicate;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.hooks.bundle.EventHook;
import org.osgi.framework.hooks.bundle.FindHook;

/**
 * Hides fabric8's bundles from the two extenders they require but netpol does not use, so that
 * neither loads what it would find there (docs/bench/agent-memory: together about 650 classes, 5
 * MiB of a node agent's memory):
 *
 * <ul>
 *   <li>Aries SPI Fly and the model bundles. Each lists its resource classes as {@code
 *       KubernetesResource} service providers, and SPI Fly loads every listed class to register it
 *       as an OSGi service (gateway API, flow control, storage, ...). fabric8 only looks them up to
 *       map a watch event's kind to a class: netpol's informers register their own types ({@code
 *       SharedInformers}), and fabric8 converts anything else to the informer's type.
 *   <li>Declarative Services (Felix SCR) and the client bundle: its one component, a client made
 *       from configuration PID {@code io.fabric8.kubernetes.client}, is never configured (netpol
 *       builds its clients itself), yet SCR parses its XML descriptor (the JDK's XML parser).
 * </ul>
 *
 * The extenders still serve every other bundle.
 */
final class HiddenFromExtenders implements FindHook, EventHook {
  static final String SPI_FLY = "org.apache.aries.spifly.dynamic.bundle";
  static final String SCR = "org.apache.felix.scr";
  static final String MODEL_PREFIX = "io.fabric8.kubernetes-model-";
  static final String CLIENT = "io.fabric8.kubernetes-client";

  /** Extender bundle → the bundles it does not see. */
  private static final Map<String, Predicate<String>> HIDDEN =
      Map.of(SPI_FLY, name -> name.startsWith(MODEL_PREFIX), SCR, CLIENT::equals);

  @Override
  public void find(BundleContext context, Collection<Bundle> bundles) {
    Predicate<String> hidden = HIDDEN.get(name(context));
    if (hidden != null) {
      bundles.removeIf(b -> hidden.test(name(b)));
    }
  }

  @Override
  public void event(BundleEvent event, Collection<BundleContext> contexts) {
    String bundle = name(event.getBundle());
    contexts.removeIf(
        c -> {
          Predicate<String> hidden = HIDDEN.get(name(c));
          return hidden != null && hidden.test(bundle);
        });
  }

  private static String name(Bundle b) {
    String n = b.getSymbolicName();
    return n == null ? "" : n;
  }

  private static String name(BundleContext context) {
    try {
      return name(context.getBundle());
    } catch (IllegalStateException stale) {
      return ""; // a stopped bundle's context
    }
  }
}
