/** The OSGi side: the backend service, its settings and the {@code iptables} tool command. */
package dev.netpol.backend.iptables.internal.bundle;
