/**
 * Guice inside a bundle, OSGi services between bundles, and validated settings from ConfigAdmin.
 */
@org.osgi.annotation.versioning.Version("1.1.0")
package dev.netpol.platform.guice;
