// SPDX-License-Identifier: GPL-2.0
/* Test programs for the SDK: counters, an LPM deny list, a ring buffer, a map-in-map verdict
 * switch and a struct whose BTF layout the Java side reads back. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct lpm_v4_key {
	__u32 prefixlen;
	__u8 addr[4];
};

struct test_event {
	__u32 kind;
	__u32 len;
	__u64 cookie;
};

/* Deliberately with padding and mixed widths: BtfLayoutTest reads it back. */
struct layout_probe {
	__u32 prefixlen;
	__u16 port;
	__u8 proto;
	__u8 flags;
	__u8 addr[16];
	__u64 cookie;
	__u8 tail;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 256);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lpm_v4_key);
	__type(value, __u32);
} deny_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16384);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, struct layout_probe);
	__type(value, struct test_event);
} layout_probes SEC(".maps");

struct verdict_set {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct verdict_set);
} verdict_sets SEC(".maps");

/* Per-set LPM tries swapped in by userspace; each trie is sized by userspace (LPM inner maps
 * need not match the template's max_entries). */
struct deny_set {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(key_size, sizeof(struct lpm_v4_key));
	__uint(value_size, sizeof(__u32));
	__uint(max_entries, 16);
	__uint(map_flags, BPF_F_NO_PREALLOC);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct deny_set);
} deny_sets SEC(".maps");

static __always_inline void count(__u32 slot)
{
	__u64 one = 1, *v = bpf_map_lookup_elem(&counters, &slot);

	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&counters, &slot, &one, BPF_NOEXIST);
}

SEC("tc")
int tc_pass(struct __sk_buff *skb)
{
	count(0);
	return TC_ACT_OK;
}

SEC("tc")
int tc_drop(struct __sk_buff *skb)
{
	count(1);
	return TC_ACT_SHOT;
}

/* Returns the interface the packet is on (BPF_PROG_RUN with a context naming one). */
SEC("tc")
int tc_ifindex(struct __sk_buff *skb)
{
	return skb->ifindex;
}

/* Drops IPv4 packets whose source matches deny_v4. */
SEC("tc")
int tc_deny_lpm(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	struct lpm_v4_key key = { .prefixlen = 32 };

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	__builtin_memcpy(key.addr, &ip->saddr, 4);
	return bpf_map_lookup_elem(&deny_v4, &key) ? TC_ACT_SHOT : TC_ACT_OK;
}

/* Emits one event per packet and passes it. */
SEC("tc")
int tc_emit(struct __sk_buff *skb)
{
	struct test_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return TC_ACT_OK;
	e->kind = 7;
	e->len = skb->len;
	e->cookie = 0x1122334455667788ULL;
	bpf_ringbuf_submit(e, 0);
	return TC_ACT_OK;
}

/* Returns the verdict in slot 0 of the verdict set installed at outer index 0. */
SEC("tc")
int tc_inner_verdict(struct __sk_buff *skb)
{
	__u32 zero = 0, *verdict;
	void *inner = bpf_map_lookup_elem(&verdict_sets, &zero);

	if (!inner)
		return TC_ACT_UNSPEC;
	verdict = bpf_map_lookup_elem(inner, &zero);
	return verdict ? *verdict : TC_ACT_UNSPEC;
}

/* Drops IPv4 packets whose source is in the trie installed at deny_sets[0]. */
SEC("tc")
int tc_deny_set(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	struct lpm_v4_key key = { .prefixlen = 32 };
	__u32 zero = 0;
	void *trie;

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	trie = bpf_map_lookup_elem(&deny_sets, &zero);
	if (!trie)
		return TC_ACT_OK;
	__builtin_memcpy(key.addr, &ip->saddr, 4);
	return bpf_map_lookup_elem(trie, &key) ? TC_ACT_SHOT : TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
