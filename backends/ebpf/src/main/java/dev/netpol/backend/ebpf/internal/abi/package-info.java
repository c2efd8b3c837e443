/**
 * Java mirrors of bpf/include/netpol_abi.h: one codec per C struct, each declaring its {@link
 * dev.netpol.backend.ebpf.internal.abi.Layout} (field, offset, size) that LayoutCheckTest compares
 * with the object's BTF. Host byte order except ports (network order, as on the wire).
 */
package dev.netpol.backend.ebpf.internal.abi;
