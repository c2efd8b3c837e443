package dev.netpol.ebpf.sdk.internal;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/** Gives libbpf its own print function back when the SDK bundle stops (see {@link LibbpfLog}). */
public final class SdkActivator implements BundleActivator {
  @Override
  public void start(BundleContext context) {}

  @Override
  public void stop(BundleContext context) {
    LibbpfLog.uninstall();
  }
}
