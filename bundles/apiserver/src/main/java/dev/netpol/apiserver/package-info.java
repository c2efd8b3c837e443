/**
 * The embedded Kubernetes API server: {@link dev.netpol.apiserver.EmbeddedApiServer} serves
 * namespaces, pods, services, EndpointSlices, NetworkPolicies, CRDs and custom resources over plain
 * HTTP on one machine, persists them in a data directory and writes an admin kubeconfig. Watches
 * are HTTP streaming only: fabric8 clients must set {@code Config.onlyHttpWatches=true}.
 */
package dev.netpol.apiserver;
