/** Rendering of a pod's policy into chains and peer sets; names; the in-kernel identity record. */
package dev.netpol.backend.iptables.internal;
