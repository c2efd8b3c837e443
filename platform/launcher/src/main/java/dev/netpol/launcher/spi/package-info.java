/** The contract between bin/netpol and the bundles that provide its tool subcommands. */
package dev.netpol.launcher.spi;
