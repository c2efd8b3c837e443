/**
 * The contract between bin/netpol and its bundles: tool subcommands ({@link
 * dev.netpol.launcher.spi.Command}) and the container's readiness ({@link
 * dev.netpol.launcher.spi.Ready}).
 */
package dev.netpol.launcher.spi;
