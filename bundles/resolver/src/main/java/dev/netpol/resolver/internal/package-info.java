/**
 * Implementation of the resolver: policy validation ({@code PolicyParser}, {@code Selector}),
 * resolution ({@code ResolutionEngine}, {@code ServiceEntries}, {@code PodFacts}), and the
 * controller's machinery ({@code DirtyQueue}, {@code AffectedPolicies}, {@code
 * PolicyEndpointWriter}). Private to the bundle.
 */
package dev.netpol.resolver.internal;
