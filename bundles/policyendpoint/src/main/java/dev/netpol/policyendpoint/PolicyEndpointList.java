package dev.netpol.policyendpoint;

import io.fabric8.kubernetes.api.model.DefaultKubernetesResourceList;

/** A list of {@link PolicyEndpoint}s, as the API server returns it. */
public class PolicyEndpointList extends DefaultKubernetesResourceList<PolicyEndpoint> {}
