package dev.netpol.platform.guice;

/**
 * A component with a lifecycle, started after the injector is built and stopped with the bundle.
 */
public interface Managed {
  void start() throws Exception;

  void stop() throws Exception;
}
