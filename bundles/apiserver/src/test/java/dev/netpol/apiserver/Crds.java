package dev.netpol.apiserver;

/** CRD manifests used by the tests. */
final class Crds {
  static final String POLICY_ENDPOINT =
      """
      apiVersion: apiextensions.k8s.io/v1
      kind: CustomResourceDefinition
      metadata:
        name: policyendpoints.policy.netpol.dev
      spec:
        group: policy.netpol.dev
        scope: Namespaced
        names:
          kind: PolicyEndpoint
          plural: policyendpoints
          singular: policyendpoint
          shortNames: [pe]
        versions:
        - name: v1alpha1
          served: true
          storage: true
          subresources:
            status: {}
          additionalPrinterColumns:
          - name: Pod-Selector
            type: string
            jsonPath: .spec.podSelector
          - name: Age
            type: date
            jsonPath: .metadata.creationTimestamp
          schema:
            openAPIV3Schema:
              type: object
              x-kubernetes-preserve-unknown-fields: true
      """;

  private Crds() {}
}
