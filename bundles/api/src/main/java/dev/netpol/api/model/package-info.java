/**
 * Immutable, validated domain model of what a pod may send and receive. A {@link
 * dev.netpol.api.model.PodPolicy} is the complete desired state of one pod: the resolver and agent
 * produce it, a backend makes the kernel match it.
 */
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.netpol.api.model;
