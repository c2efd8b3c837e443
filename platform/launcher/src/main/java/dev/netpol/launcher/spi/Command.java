package dev.netpol.launcher.spi;

import java.io.PrintStream;
import java.util.List;

/**
 * A {@code bin/netpol} subcommand provided by a bundle, registered as an OSGi service with the
 * property {@link #NAME}. {@code --help} must be handled by every implementation.
 */
public interface Command {
  /** Service property with the subcommand's name, e.g. {@code ebpf}. */
  String NAME = "netpol.command";

  /** One line for {@code bin/netpol --help}. */
  String summary();

  /** Runs the command; the return value becomes the process exit status. */
  int run(List<String> args, PrintStream out, PrintStream err) throws Exception;
}
