// SPDX-License-Identifier: GPL-2.0
/* A map pinned by name under the object's pin root at load (LIBBPF_PIN_BY_NAME). */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__type(key, __u32);
	__type(value, __u32);
} shared_state SEC(".maps");

SEC("tc")
int tc_touch(struct __sk_buff *skb)
{
	__u32 k = 1, v = 2;

	bpf_map_update_elem(&shared_state, &k, &v, BPF_ANY);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
