/** jnr-ffi bindings to libbpf and libc, struct offsets and errno names; private to the bundle. */
package dev.netpol.ebpf.sdk.internal;
