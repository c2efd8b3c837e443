/**
 * Our iptables chains and ipsets as Java values, applied atomically ({@code iptables-restore
 * --noflush}, {@code ipset restore}) and read back ({@code iptables-save}, {@code ipset save}).
 * Every name handed in must carry the owner's prefix: what is not ours is never written.
 */
@org.osgi.annotation.versioning.Version("1.3.0")
package dev.netpol.netfilter;
