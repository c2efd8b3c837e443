package dev.netpol.platform.guice;

/** The current values of a bundle's settings; see {@link Setting}. */
@org.osgi.annotation.versioning.ProviderType
public interface Settings {
  <T> T get(Setting<T> setting);

  /** Runs {@code listener} after every accepted change of configuration. */
  void onChange(Runnable listener);
}
