package dev.netpol.platform.guice;

import com.google.inject.Binder;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.util.Types;
import dev.netpol.platform.guice.internal.ExportSpec;
import dev.netpol.platform.guice.internal.ServiceTrackerRef;
import java.util.List;
import java.util.Map;

/** Declarations a bundle's Guice module makes about the OSGi world. */
public final class OsgiBindings {
  private OsgiBindings() {}

  /** Registers the instance bound to {@code key} as an OSGi service of type {@code type}. */
  public static <T> void exportService(
      Binder binder, Class<T> type, Key<? extends T> key, Map<String, ?> properties) {
    Multibinder.newSetBinder(binder, ExportSpec.class)
        .addBinding()
        .toInstance(new ExportSpec(type, key, Map.copyOf(properties)));
  }

  public static <T> void exportService(Binder binder, Class<T> type, Class<? extends T> impl) {
    exportService(binder, type, Key.get(impl), Map.of());
  }

  /**
   * Binds {@code type} to a proxy of the current OSGi service of that type and {@code
   * ServiceRef<type>} to a dynamic reference for code that follows changes.
   */
  @SuppressWarnings("unchecked")
  public static <T> void importService(Binder binder, Class<T> type) {
    ServiceTrackerRef<T> ref = new ServiceTrackerRef<>(type);
    Multibinder.newSetBinder(binder, ServiceTrackerRef.class).addBinding().toInstance(ref);
    Key<ServiceRef<T>> refKey =
        (Key<ServiceRef<T>>) Key.get(Types.newParameterizedType(ServiceRef.class, type));
    binder.bind(refKey).toInstance(ref);
    binder.bind(type).toInstance(ref.proxy());
  }

  /**
   * Marks a {@link Managed} component to be started with the bundle and stopped before it stops.
   */
  public static void manage(Binder binder, Class<? extends Managed> type) {
    Multibinder.newSetBinder(binder, new TypeLiteral<Class<? extends Managed>>() {})
        .addBinding()
        .toInstance(type);
  }

  /** Declares the settings this bundle reads; their values are validated against these parsers. */
  public static void settings(Binder binder, List<Setting<?>> settings) {
    Multibinder<Setting<?>> mb = Multibinder.newSetBinder(binder, new TypeLiteral<Setting<?>>() {});
    settings.forEach(s -> mb.addBinding().toInstance(s));
  }
}
