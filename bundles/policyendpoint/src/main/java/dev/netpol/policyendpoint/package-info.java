/**
 * The PolicyEndpoint custom resource ({@code policy.netpol.dev/v1alpha1}): the contract between the
 * policy controller (writer) and the node agents (readers). Also the helpers both sides share:
 * {@link dev.netpol.policyendpoint.NodeLabels} for the per-node label and {@link
 * dev.netpol.policyendpoint.ChunkSet} for assembling a complete, consistent policy from its chunks.
 */
@org.osgi.annotation.versioning.Version("1.1.0")
package dev.netpol.policyendpoint;
