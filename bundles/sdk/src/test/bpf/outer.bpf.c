// SPDX-License-Identifier: GPL-2.0
/* A map-in-map with no inner definition: userspace supplies the inner template before load
 * (bpf_map__set_inner_map_fd). The program returns the u32 at key 0 of the inner map at slot 0. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} outer SEC(".maps");

SEC("tc")
int tc_outer(struct __sk_buff *skb)
{
	__u32 zero = 0, *v;
	void *inner = bpf_map_lookup_elem(&outer, &zero);

	if (!inner)
		return TC_ACT_UNSPEC;
	v = bpf_map_lookup_elem(inner, &zero);
	return v ? *v : TC_ACT_UNSPEC;
}

char LICENSE[] SEC("license") = "GPL";
