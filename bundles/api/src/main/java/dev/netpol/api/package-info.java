/** Services between netpol bundles: the enforcement backend contract and its bookkeeping types. */
@org.osgi.annotation.versioning.Version("1.1.0")
package dev.netpol.api;
