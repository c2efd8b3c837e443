package dev.netpol.policyendpoint;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * One chunk of one NetworkPolicy, resolved to pod IPs and numeric ports. Lives in the policy's
 * namespace, owned by the policy, named {@code <policy>-<chunk index>}.
 */
@Group(PolicyEndpoint.GROUP)
@Version(PolicyEndpoint.VERSION)
@Kind("PolicyEndpoint")
@Plural("policyendpoints")
@Singular("policyendpoint")
public class PolicyEndpoint extends CustomResource<PolicyEndpointSpec, PolicyEndpointStatus>
    implements Namespaced {
  public static final String GROUP = "policy.netpol.dev";
  public static final String VERSION = "v1alpha1";
  public static final String API_VERSION = GROUP + "/" + VERSION;
  public static final String CRD_NAME = "policyendpoints." + GROUP;

  /** Class-path resource (in this bundle) holding the CRD YAML to install. */
  public static final String CRD_RESOURCE = "/crd/" + CRD_NAME + ".yaml";

  /** Annotation: when the controller first saw the change this object carries (RFC 3339, ns). */
  public static final String CHANGE_SEEN_AT = GROUP + "/change-seen-at";

  /** Condition type set by the controller in {@code status.conditions}. */
  public static final String RESOLVED = "Resolved";

  @Override
  protected PolicyEndpointSpec initSpec() {
    return new PolicyEndpointSpec();
  }

  @Override
  protected PolicyEndpointStatus initStatus() {
    return new PolicyEndpointStatus();
  }
}
