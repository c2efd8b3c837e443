/** The Kubernetes connection and shared informers, offered as OSGi services. */
package dev.netpol.watch;
