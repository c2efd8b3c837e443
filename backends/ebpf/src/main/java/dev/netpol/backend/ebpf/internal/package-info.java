/**
 * Backend implementation: {@code PodDatapath} owns the order of kernel writes for a pod (load and
 * pin programs, fill fresh tries, swap them into the outer map, write the identity record, then
 * attach), {@code Pins} the pin layout, {@code Conntrack} the GC, {@code FlowLog} the event reader.
 * Nothing here is cached that the pins cannot rebuild, except policy names for flow logs.
 */
package dev.netpol.backend.ebpf.internal;
