/**
 * The policy controller. {@link dev.netpol.resolver.PolicyResolver} resolves one NetworkPolicy
 * against a {@link dev.netpol.resolver.ClusterState} (pure function); {@link
 * dev.netpol.resolver.PolicyEndpointPlanner} turns the result into chunked, per-node labelled
 * PolicyEndpoint objects and diffs them against what exists; {@link
 * dev.netpol.resolver.PolicyController} runs the level-triggered loop over shared informers
 * supplied by an {@link dev.netpol.resolver.InformerSource}.
 */
package dev.netpol.resolver;
