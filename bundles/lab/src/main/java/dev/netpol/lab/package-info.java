/**
 * Pods as network namespaces on this machine, registered as Pod objects in a Kubernetes API the way
 * a kubelet would: {@link dev.netpol.lab.Lab} makes, lists, probes and removes them; its state
 * survives across processes in a state file under the data directory.
 */
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.netpol.lab;
