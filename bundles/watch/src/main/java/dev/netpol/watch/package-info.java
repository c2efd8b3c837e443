/** The Kubernetes connection and shared informers, offered as OSGi services. */
@org.osgi.annotation.versioning.Version("1.2.0")
package dev.netpol.watch;
