package dev.netpol.resolver;

import dev.netpol.policyendpoint.PolicyEndpoint;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/**
 * The shared informers the controller reads (all namespaces, with the default namespace index). The
 * watch bundle provides them as OSGi services; {@link #create(KubernetesClient)} builds a private
 * set for tests and standalone use. The controller never starts or stops them.
 */
public interface InformerSource {
  SharedIndexInformer<NetworkPolicy> networkPolicies();

  SharedIndexInformer<Pod> pods();

  SharedIndexInformer<Namespace> namespaces();

  SharedIndexInformer<Service> services();

  SharedIndexInformer<PolicyEndpoint> policyEndpoints();

  /** Running informers over every namespace; the caller closes them. */
  static InformerSource create(KubernetesClient client) {
    var np = client.network().v1().networkPolicies().inAnyNamespace().inform();
    var pods = client.pods().inAnyNamespace().inform();
    var ns = client.namespaces().inform();
    var svc = client.services().inAnyNamespace().inform();
    var pe = client.resources(PolicyEndpoint.class).inAnyNamespace().inform();
    return of(np, pods, ns, svc, pe);
  }

  /** The given informers (e.g. the watch bundle's shared ones). */
  static InformerSource of(
      SharedIndexInformer<NetworkPolicy> np,
      SharedIndexInformer<Pod> pods,
      SharedIndexInformer<Namespace> ns,
      SharedIndexInformer<Service> svc,
      SharedIndexInformer<PolicyEndpoint> pe) {
    return new InformerSource() {
      @Override
      public SharedIndexInformer<NetworkPolicy> networkPolicies() {
        return np;
      }

      @Override
      public SharedIndexInformer<Pod> pods() {
        return pods;
      }

      @Override
      public SharedIndexInformer<Namespace> namespaces() {
        return ns;
      }

      @Override
      public SharedIndexInformer<Service> services() {
        return svc;
      }

      @Override
      public SharedIndexInformer<PolicyEndpoint> policyEndpoints() {
        return pe;
      }
    };
  }

  default boolean allSynced() {
    return networkPolicies().hasSynced()
        && pods().hasSynced()
        && namespaces().hasSynced()
        && services().hasSynced()
        && policyEndpoints().hasSynced();
  }
}
