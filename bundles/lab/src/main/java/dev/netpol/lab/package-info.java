/**
 * Pods as network namespaces on this machine, registered as Pod objects in a Kubernetes API the way
 * a kubelet would: {@link dev.netpol.lab.Lab} makes, lists, probes and removes them; its state
 * survives across processes in a state file under the data directory.
 */
package dev.netpol.lab;
