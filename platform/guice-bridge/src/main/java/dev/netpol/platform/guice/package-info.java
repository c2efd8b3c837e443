/**
 * Guice inside a bundle, OSGi services between bundles, and validated settings from ConfigAdmin.
 */
package dev.netpol.platform.guice;
