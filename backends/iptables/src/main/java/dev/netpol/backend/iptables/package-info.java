/** The iptables enforcement backend ({@code netpol.backend=iptables}) and its command line. */
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.netpol.backend.iptables;
