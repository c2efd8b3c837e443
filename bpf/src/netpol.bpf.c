// SPDX-License-Identifier: GPL-2.0
/*
 * netpol datapath: NetworkPolicy enforcement on pods' host veths. Loaded once per node; the same
 * two programs run on every pod's veth and find the pod's state by the interface index:
 *   netpol_ingress  on the host veth's tc egress  (packets into the pod, peer = source)
 *   netpol_egress   on the host veth's tc ingress (packets out of the pod, peer = destination)
 * Per packet: parse (IPv4 options, IPv6 extension headers, fragments, ICMP), pass non-IP and IPv6
 * neighbour discovery, look the flow up in conntrack (forward, then reverse), and decide new flows
 * against the pod's LPM trie. See bpf/README.md for the design.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "netpol_abi.h"

#define NP_PODS_MAX 4096           /* pods (host interfaces) per node */
#define NP_CT_MAX_ENTRIES (512 * 1024) /* default; userspace sets the configured size */
#define NP_RULES_MAX_ENTRIES 65536 /* template only: each pod's trie is sized by userspace */
#define NP_FRAGS_MAX 8192
#define NP_COUNTERS_MAX 65536
#define NP_EVENTS_SIZE (1 << 22)
#define NP_EVENTS_BUSY (NP_EVENTS_SIZE / 2) /* above this much unread data, events are sampled */
#define NP_EVENTS_SAMPLE_MASK 15            /* ... one in 16 is written */
#define NP_CT_REFRESH_NS 1000000000ULL /* last_seen_ns is rewritten only when older than this */
#define NP_IPV6_EXT_MAX 8
#define NP_DIRECT_MAX 1024 /* headers read straight from the packet start below this offset */
#define NP_PROTO_ICMPV6 58
#define NP_PROTO_SCTP 132
#define NP_CT_DIR_ORIGINAL 0 /* enum ip_conntrack_dir */
#define NP_CT_DIR_REPLY 1

/* ---- maps (all node-wide, pinned under the pin root's global/) ---- */

struct np_rules {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(key_size, sizeof(struct np_rule_key)); /* libbpf 1.1 cannot size inner __type()s */
	__uint(value_size, sizeof(struct np_rule_value));
	__uint(max_entries, NP_RULES_MAX_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
};

/* Host ifindex -> the pod's trie (both directions). Userspace swaps a whole trie in with one
 * update, so a packet sees either the old policy of the pod or the new one. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, NP_PODS_MAX);
	__type(key, __u32);
	__array(values, struct np_rules);
} np_policy SEC(".maps");

/* Host ifindex -> who the interface serves, and the generation of its trie (read by the
 * established fast path: see np_established for the write order that makes this sound). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, NP_PODS_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct np_pod_info);
} np_pods SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct np_node_info);
} np_node SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, NP_CT_MAX_ENTRIES);
	__type(key, struct np_ct_key);
	__type(value, struct np_ct_value);
} np_conntrack SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, NP_FRAGS_MAX);
	__type(key, struct np_frag_key);
	__type(value, struct np_frag_value);
} np_frags SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, NP_COUNTERS_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct np_counter_key);
	__type(value, struct np_counter);
} np_counters SEC(".maps");

/* Allowed packets of established flows, per pod slot (np_pod_info.slot) and direction: index
 * (slot - 1) * 2 + direction. An array lookup the verifier inlines, for the hottest counter. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NP_PODS_MAX * 2);
	__type(key, __u32);
	__type(value, struct np_counter);
} np_est_counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NP_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} np_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, NP_EVENTS_SIZE);
} np_events SEC(".maps");

/* Never used by code: keeps every ABI struct in the object's BTF for the Java layout check. */
struct np_layouts {
	struct np_event event;
	struct np_rule_key rule_key;
	struct np_rule_value rule_value;
	struct np_ct_key ct_key;
	struct np_ct_value ct_value;
	struct np_pod_info pod_info;
	struct np_node_info node_info;
	struct np_holder holder;
	struct np_frag_key frag_key;
	struct np_frag_value frag_value;
	struct np_counter_key counter_key;
	struct np_counter counter;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct np_layouts);
} np_layout SEC(".maps");

/* ---- the kernel's conntrack (kfuncs, Linux 6.1+ with BTF) ---- */

/* Opaque to us; a complete (if empty) struct, as libbpf matches it by kind against the kernel's. */
struct nf_conn {
	__u32 opaque;
};
struct bpf_ct_opts___np { /* the first 12 bytes of struct bpf_ct_opts, a size the kernel takes */
	__s32 netns_id;
	__s32 error;
	__u8 l4proto;
	__u8 dir; /* out: the tuple's direction in the connection (enum ip_conntrack_dir) */
	__u8 reserved[2];
};
extern struct nf_conn *bpf_skb_ct_lookup(struct __sk_buff *skb, struct bpf_sock_tuple *tuple,
					 __u32 tuple__sz, struct bpf_ct_opts___np *opts,
					 __u32 opts__sz) __ksym;
extern void bpf_ct_release(struct nf_conn *ct) __ksym;

/* ---- parsing ---- */

enum np_frag { NP_FRAG_NONE, NP_FRAG_FIRST, NP_FRAG_LATER, NP_FRAG_LATER_KNOWN };

struct np_flow {
	__u8 family;
	__u8 proto;
	__u8 tcp_flags;
	__u8 fragment;   /* enum np_frag */
	__be16 sport;    /* ports, or the ICMP markers of np_ct_key */
	__be16 dport;
	__u32 frag_id;
	__u16 inner_off; /* ICMP error: offset of the quoted IP header, else 0 */
	__u16 zero;
	__u8 saddr[16];
	__u8 daddr[16];
};

enum np_parse { NP_PARSE_POLICY, NP_PARSE_PASS, NP_PARSE_MALFORMED };

#define TCP_FLAG_FIN 0x01
#define TCP_FLAG_RST 0x04

static __always_inline int np_icmp_error(__u8 family, __u8 type)
{
	if (family == 4) /* destination unreachable, source quench, time exceeded, parameter problem */
		return type == 3 || type == 4 || type == 11 || type == 12;
	return type >= 1 && type <= 4; /* ... and ICMPv6 packet too big */
}

/* The conntrack "ports" of an ICMP message (see np_ct_key). */
static __always_inline void np_icmp_ports(__u8 family, __u8 type, __be16 id, __be16 *sport,
					  __be16 *dport)
{
	__u8 request = family == 4 ? 8 : 128;
	__u8 reply = family == 4 ? 0 : 129;
	if (type == request) {
		*sport = id;
		*dport = bpf_htons(request);
	} else if (type == reply) {
		*sport = bpf_htons(request);
		*dport = id;
	} else {
		*sport = bpf_htons(type);
		*dport = 0;
	}
}

/* Copies len bytes at packet offset off to `to`: straight from the linear data when they are
 * there (the usual case: a veth's headers are linear), else through bpf_skb_load_bytes, a helper
 * call that costs several times more. off is bounded so the verifier can check the access. */
static __always_inline int np_load(struct __sk_buff *skb, __u32 off, void *to, __u32 len)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	if (off <= NP_DIRECT_MAX && data + off + len <= end) {
		/* Word loads: x86-64 and arm64 load unaligned words, and the verifier checks packet
		 * alignment only when asked to (BPF_F_STRICT_ALIGNMENT); byte loads would cost 3x. */
		__builtin_memcpy(to, __builtin_assume_aligned(data + off, 4), len);
		return 0;
	}
	return bpf_skb_load_bytes(skb, off, to, len);
}

static __always_inline int np_parse_l4(struct __sk_buff *skb, __u32 off, struct np_flow *f)
{
	if (f->fragment == NP_FRAG_LATER)
		return NP_PARSE_POLICY;
	if (f->proto == IPPROTO_TCP || f->proto == IPPROTO_UDP || f->proto == NP_PROTO_SCTP) {
		__be16 ports[2];
		if (np_load(skb, off, ports, sizeof(ports)))
			return NP_PARSE_MALFORMED;
		f->sport = ports[0];
		f->dport = ports[1];
		if (f->proto == IPPROTO_TCP && np_load(skb, off + 13, &f->tcp_flags, 1))
			return NP_PARSE_MALFORMED;
	} else if ((f->proto == IPPROTO_ICMP && f->family == 4) ||
		   (f->proto == NP_PROTO_ICMPV6 && f->family == 6)) {
		__u8 h[8]; /* type, code, checksum, and for echo: id, sequence */
		if (np_load(skb, off, h, sizeof(h)))
			return NP_PARSE_MALFORMED;
		/* Router/neighbour solicitation and advertisement, redirect: pods need them for L2. */
		if (f->family == 6 && h[0] >= 133 && h[0] <= 137)
			return NP_PARSE_PASS;
		if (np_icmp_error(f->family, h[0]) && f->fragment == NP_FRAG_NONE) {
			f->inner_off = off + 8;
			return NP_PARSE_POLICY;
		}
		np_icmp_ports(f->family, h[0], *(__be16 *)&h[4], &f->sport, &f->dport);
	}
	return NP_PARSE_POLICY;
}

static __always_inline int np_parse_ipv4(struct __sk_buff *skb, struct np_flow *f)
{
	struct iphdr ip;
	if (np_load(skb, ETH_HLEN, &ip, sizeof(ip)))
		return NP_PARSE_MALFORMED;
	if (ip.version != 4 || ip.ihl < 5)
		return NP_PARSE_MALFORMED;
	f->family = 4;
	f->proto = ip.protocol;
	__builtin_memcpy(f->saddr, &ip.saddr, 4);
	__builtin_memcpy(f->daddr, &ip.daddr, 4);
	__u16 frag = bpf_ntohs(ip.frag_off);
	if (frag & 0x1fff)
		f->fragment = NP_FRAG_LATER;
	else if (frag & 0x2000) /* more fragments */
		f->fragment = NP_FRAG_FIRST;
	f->frag_id = bpf_ntohs(ip.id);
	return np_parse_l4(skb, ETH_HLEN + ip.ihl * 4, f);
}

static __always_inline int np_parse_ipv6(struct __sk_buff *skb, struct np_flow *f)
{
	struct ipv6hdr ip6;
	if (np_load(skb, ETH_HLEN, &ip6, sizeof(ip6)))
		return NP_PARSE_MALFORMED;
	if (ip6.version != 6)
		return NP_PARSE_MALFORMED;
	f->family = 6;
	__builtin_memcpy(f->saddr, &ip6.saddr, 16);
	__builtin_memcpy(f->daddr, &ip6.daddr, 16);
	__u8 next = ip6.nexthdr;
	__u32 off = ETH_HLEN + sizeof(ip6);
#pragma unroll
	for (int i = 0; i < NP_IPV6_EXT_MAX; i++) {
		__u8 hdr[8];
		if (next != IPPROTO_HOPOPTS && next != IPPROTO_ROUTING && next != IPPROTO_DSTOPTS &&
		    next != IPPROTO_FRAGMENT && next != IPPROTO_AH)
			break;
		if (np_load(skb, off, hdr, sizeof(hdr)))
			return NP_PARSE_MALFORMED;
		if (next == IPPROTO_FRAGMENT) {
			__u16 frag = bpf_ntohs(*(__be16 *)&hdr[2]);
			if (frag & 0xfff8)
				f->fragment = NP_FRAG_LATER;
			else if (frag & 1) /* more fragments */
				f->fragment = NP_FRAG_FIRST;
			f->frag_id = bpf_ntohl(*(__be32 *)&hdr[4]);
			off += 8;
		} else if (next == IPPROTO_AH) {
			off += (hdr[1] + 2) * 4;
		} else {
			off += (hdr[1] + 1) * 8;
		}
		next = hdr[0];
	}
	if (next == IPPROTO_HOPOPTS || next == IPPROTO_ROUTING || next == IPPROTO_DSTOPTS ||
	    next == IPPROTO_FRAGMENT || next == IPPROTO_AH)
		return NP_PARSE_MALFORMED; /* longer chain than we walk: refuse rather than guess */
	f->proto = next;
	return np_parse_l4(skb, off, f);
}

static __always_inline int np_parse(struct __sk_buff *skb, struct np_flow *f)
{
	if (skb->protocol == bpf_htons(ETH_P_IP))
		return np_parse_ipv4(skb, f);
	if (skb->protocol == bpf_htons(ETH_P_IPV6))
		return np_parse_ipv6(skb, f);
	return NP_PARSE_PASS; /* ARP and other non-IP traffic is not NetworkPolicy's business */
}

/* ---- counters and events ---- */

static __always_inline void np_stat(__u32 slot)
{
	__u64 *v = bpf_map_lookup_elem(&np_stats, &slot);
	if (v)
		(*v)++;
}

struct np_decision {
	__u8 verdict;
	__u8 reason;
	__u32 class_id;
	__u32 generation;
};

/* Counts every decided packet (per CPU: no atomics, no shared cache line). */
static __always_inline void np_count(__u32 ifindex, __u32 dir, struct np_decision *d, __u32 len)
{
	struct np_counter_key k = {
		.ifindex = ifindex,
		.class_id = d->class_id,
		.direction = dir,
		.verdict = d->verdict,
		.reason = d->reason,
	};
	struct np_counter *c = bpf_map_lookup_elem(&np_counters, &k);
	if (!c) {
		struct np_counter zero = {};
		bpf_map_update_elem(&np_counters, &k, &zero, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&np_counters, &k);
		if (!c) {
			np_stat(NP_STAT_COUNTERS_FULL);
			return;
		}
	}
	c->packets++;
	c->bytes += len;
}

/* Writes a verdict event for the flow log; when the ring buffer is more than half unread, only a
 * sample is written (the counters above stay exact). */
static __always_inline void np_emit(struct np_ct_key *k, __u32 dir, struct np_decision *d)
{
	if (bpf_ringbuf_query(&np_events, BPF_RB_AVAIL_DATA) > NP_EVENTS_BUSY &&
	    (bpf_get_prandom_u32() & NP_EVENTS_SAMPLE_MASK)) {
		np_stat(NP_STAT_EVENTS_SAMPLED_OUT);
		return;
	}
	struct np_event *e = bpf_ringbuf_reserve(&np_events, sizeof(*e), 0);
	if (!e) {
		np_stat(NP_STAT_EVENTS_LOST);
		return;
	}
	e->timestamp_ns = bpf_ktime_get_ns();
	e->ifindex = k->ifindex;
	e->class_id = d->class_id;
	e->generation = d->generation;
	e->family = k->family;
	e->proto = k->proto;
	e->direction = dir;
	e->verdict = d->verdict;
	e->reason = d->reason;
	e->zero[0] = e->zero[1] = e->zero[2] = 0;
	e->sport = k->sport;
	e->dport = k->dport;
	__builtin_memcpy(e->saddr, k->saddr, 16);
	__builtin_memcpy(e->daddr, k->daddr, 16);
	bpf_ringbuf_submit(e, 0);
}

/* ---- policy ---- */

static __always_inline struct np_rule_value *np_meta(void *rules, __u32 dir)
{
	struct np_rule_key key = {
		.prefixlen = NP_KEY_FIXED_BITS, .kind = NP_KEY_META, .direction = dir};
	return bpf_map_lookup_elem(rules, &key);
}

/* Decides a flow (k in its original orientation) against one direction of the pod's trie: at most
 * two lookups after the META entry, whatever the number of rules. */
static __always_inline void np_evaluate(void *rules, struct np_rule_value *meta, __u32 dir,
					struct np_ct_key *k, int later_fragment,
					struct np_decision *d)
{
	d->verdict = NP_VERDICT_DENY;
	d->class_id = 0;
	d->generation = meta->generation;
	if (meta->state == NP_STATE_DEFAULT_ALLOW) {
		d->verdict = NP_VERDICT_ALLOW;
		d->reason = NP_REASON_DEFAULT_ALLOW;
		return;
	}
	if (meta->state != NP_STATE_POLICIES_APPLIED) {
		d->reason = NP_REASON_DEFAULT_DENY;
		return;
	}
	d->reason = later_fragment ? NP_REASON_FRAGMENT : NP_REASON_NO_RULE;

	struct np_rule_key key = {.kind = NP_KEY_ADDR, .tag = k->family, .direction = dir};
	key.prefixlen = NP_KEY_FIXED_BITS + (k->family == 4 ? 32 : 128);
	__builtin_memcpy(key.addr, dir == NP_DIR_INGRESS ? k->saddr : k->daddr, 16);
	struct np_rule_value *addr = bpf_map_lookup_elem(rules, &key);
	if (!addr)
		return;
	d->class_id = addr->class_id;
	if (addr->flags & NP_ADDR_ALL_TRAFFIC) {
		d->verdict = NP_VERDICT_ALLOW;
		d->reason = NP_REASON_RULE;
		return;
	}
	if (addr->class_id == 0 ||
	    (k->proto != IPPROTO_TCP && k->proto != IPPROTO_UDP && k->proto != NP_PROTO_SCTP))
		return;
	struct np_rule_key port = {.kind = NP_KEY_PORT,
				   .tag = k->proto,
				   .direction = dir,
				   .class_id = addr->class_id};
	/* A later fragment of unknown ports: only an all-ports key (port prefix /0) can match. */
	port.prefixlen = NP_KEY_FIXED_BITS + (later_fragment ? 0 : 16);
	port.port = k->dport;
	if (bpf_map_lookup_elem(rules, &port)) {
		d->verdict = NP_VERDICT_ALLOW;
		d->reason = NP_REASON_RULE;
	}
}

/* ---- conntrack ---- */

static __always_inline void np_ct_key_of(struct np_ct_key *k, __u32 ifindex, struct np_flow *f,
					 int reverse)
{
	k->ifindex = ifindex;
	k->family = f->family;
	k->proto = f->proto;
	k->zero = 0;
	if (reverse) {
		k->sport = f->dport;
		k->dport = f->sport;
		__builtin_memcpy(k->saddr, f->daddr, 16);
		__builtin_memcpy(k->daddr, f->saddr, 16);
	} else {
		k->sport = f->sport;
		k->dport = f->dport;
		__builtin_memcpy(k->saddr, f->saddr, 16);
		__builtin_memcpy(k->daddr, f->daddr, 16);
	}
}

/* A conntrack hit: pass at once if the pod's policy generation is unchanged, else re-decide the
 * flow (k, original orientation) against the direction that allowed it. A flow denied now is not
 * deleted but kept as revoked: otherwise the peer's next packet would start a "new" flow in the
 * other direction and re-open the connection through the other direction's policy.
 * Fast path: the generation is read from the pod's np_pods record (one hash lookup) instead of the
 * trie's META key (outer lookup + LPM lookup). Userspace writes the record only after the trie it
 * describes is in np_policy and deletes it before the trie, so a record's generation is never
 * newer than the trie's: equal generations mean the entry was checked against rules still in
 * force (or, between a trie swap and its record write, against the rules just replaced, which
 * is what the packet would have met a moment earlier). Any mismatch, or no record, takes the
 * slow path, which decides by the trie's own META generation exactly as before. */
static __always_inline int np_established(struct __sk_buff *skb, struct np_ct_key *k,
					  struct np_ct_value *ct, __u8 tcp_flags, __u32 dir)
{
	struct np_decision d = {.reason = NP_REASON_NO_POLICY};
	__u32 ifindex = k->ifindex;
	struct np_pod_info *pod = bpf_map_lookup_elem(&np_pods, &ifindex);
	if (!pod || pod->generation != ct->generation) {
		__u32 cdir = ct->direction;
		void *rules = bpf_map_lookup_elem(&np_policy, &ifindex);
		struct np_rule_value *meta = rules ? np_meta(rules, cdir) : 0;
		if (!meta) {
			np_count(ifindex, dir, &d, skb->len);
			return TC_ACT_SHOT;
		}
		if (ct->generation != meta->generation) {
			np_evaluate(rules, meta, cdir, k, 0, &d);
			ct->generation = meta->generation;
			if (d.verdict != NP_VERDICT_ALLOW) {
				ct->revoked = 1;
				ct->closing = 1;
				d.reason = NP_REASON_REVOKED;
				np_emit(k, cdir, &d);
				np_count(ifindex, dir, &d, skb->len);
				return TC_ACT_SHOT;
			}
			ct->revoked = 0;
		}
	}
	d.class_id = 0;
	d.generation = ct->generation;
	if (ct->revoked) {
		d.verdict = NP_VERDICT_DENY;
		d.reason = NP_REASON_REVOKED;
		np_count(ifindex, dir, &d, skb->len);
		return TC_ACT_SHOT;
	}
	/* Written only when stale: a write per packet would bounce the entry's cache line between
	 * the CPUs of both directions of a busy flow. The coarse clock (one tick, a few ms) is
	 * plenty for a 1 s refresh and costs a fraction of bpf_ktime_get_ns. */
	__u64 now = bpf_ktime_get_coarse_ns();
	if (now - ct->last_seen_ns > NP_CT_REFRESH_NS)
		ct->last_seen_ns = now;
	if ((tcp_flags & (TCP_FLAG_FIN | TCP_FLAG_RST)) && !ct->closing)
		ct->closing = 1;
	d.verdict = NP_VERDICT_ALLOW;
	d.reason = NP_REASON_ESTABLISHED;
	__u32 slot = pod ? pod->slot : 0;
	if (slot && slot <= NP_PODS_MAX) {
		__u32 idx = (slot - 1) * 2 + dir;
		struct np_counter *c = bpf_map_lookup_elem(&np_est_counters, &idx);
		if (c) {
			c->packets++;
			c->bytes += skb->len;
			return TC_ACT_OK;
		}
	}
	np_count(ifindex, dir, &d, skb->len);
	return TC_ACT_OK;
}

static __always_inline void np_ct_insert(struct np_ct_key *k, __u32 dir, __u32 generation,
					 __u8 tcp_flags)
{
	struct np_ct_value v = {
		.last_seen_ns = bpf_ktime_get_coarse_ns(), /* the clock np_established compares */
		.generation = generation,
		.direction = dir,
		.closing = (tcp_flags & (TCP_FLAG_FIN | TCP_FLAG_RST)) != 0,
	};
	bpf_map_update_elem(&np_conntrack, k, &v, BPF_ANY);
}

/* True if the kernel's conntrack has a connection of which the packet k is a reply: k is its reply
 * tuple, or k reversed is its original tuple (the reply of a DNATed connection, as the client sees
 * it). Only TCP and UDP: the kfunc looks up nothing else. */
static __always_inline int np_kernel_reply(struct __sk_buff *skb, struct np_ct_key *k, int reverse)
{
	struct bpf_sock_tuple t = {};
	__u32 size;
	__u8 *src = reverse ? k->daddr : k->saddr;
	__u8 *dst = reverse ? k->saddr : k->daddr;
	if (k->family == 4) {
		__builtin_memcpy(&t.ipv4.saddr, src, 4);
		__builtin_memcpy(&t.ipv4.daddr, dst, 4);
		t.ipv4.sport = reverse ? k->dport : k->sport;
		t.ipv4.dport = reverse ? k->sport : k->dport;
		size = sizeof(t.ipv4);
	} else {
		__builtin_memcpy(&t.ipv6.saddr, src, 16);
		__builtin_memcpy(&t.ipv6.daddr, dst, 16);
		t.ipv6.sport = reverse ? k->dport : k->sport;
		t.ipv6.dport = reverse ? k->sport : k->dport;
		size = sizeof(t.ipv6);
	}
	struct bpf_ct_opts___np opts = {.netns_id = -1 /* the device's */, .l4proto = k->proto};
	struct nf_conn *ct = bpf_skb_ct_lookup(skb, &t, size, &opts, sizeof(opts));
	if (!ct)
		return 0;
	__u8 dir = opts.dir;
	bpf_ct_release(ct);
	return dir == (reverse ? NP_CT_DIR_ORIGINAL : NP_CT_DIR_REPLY);
}

static __always_inline int np_addr_eq(const __u8 *a, const __u8 *b)
{
	__u64 a0, a1, b0, b1;
	__builtin_memcpy(&a0, a, 8);
	__builtin_memcpy(&a1, a + 8, 8);
	__builtin_memcpy(&b0, b, 8);
	__builtin_memcpy(&b1, b + 8, 8);
	return a0 == b0 && a1 == b1;
}

/* An ICMP error (destination unreachable, packet too big, time exceeded, parameter problem) is
 * RELATED, as the kernel's conntrack would say, if the packet it quotes belongs to a tracked flow
 * that is not revoked, and the error goes back to that packet's sender. */
static __always_inline int np_related(struct __sk_buff *skb, __u32 ifindex, struct np_flow *f)
{
	struct np_flow in = {.family = f->family};
	__u32 off = f->inner_off;
	if (f->family == 4) {
		struct iphdr ip;
		if (bpf_skb_load_bytes(skb, off, &ip, sizeof(ip)))
			return 0;
		if (ip.version != 4 || ip.ihl < 5 || (bpf_ntohs(ip.frag_off) & 0x1fff))
			return 0;
		in.proto = ip.protocol;
		__builtin_memcpy(in.saddr, &ip.saddr, 4);
		__builtin_memcpy(in.daddr, &ip.daddr, 4);
		off += ip.ihl * 4;
	} else {
		struct ipv6hdr ip6;
		if (bpf_skb_load_bytes(skb, off, &ip6, sizeof(ip6)))
			return 0;
		if (ip6.version != 6)
			return 0;
		in.proto = ip6.nexthdr;
		__builtin_memcpy(in.saddr, &ip6.saddr, 16);
		__builtin_memcpy(in.daddr, &ip6.daddr, 16);
		off += sizeof(ip6);
	}
	if (!np_addr_eq(in.saddr, f->daddr))
		return 0;
	__u8 h[8];
	if (bpf_skb_load_bytes(skb, off, h, sizeof(h)))
		return 0;
	if (in.proto == IPPROTO_TCP || in.proto == IPPROTO_UDP || in.proto == NP_PROTO_SCTP) {
		in.sport = *(__be16 *)&h[0];
		in.dport = *(__be16 *)&h[2];
	} else if ((in.proto == IPPROTO_ICMP && in.family == 4) ||
		   (in.proto == NP_PROTO_ICMPV6 && in.family == 6)) {
		if (np_icmp_error(in.family, h[0]))
			return 0; /* never an error about an error */
		np_icmp_ports(in.family, h[0], *(__be16 *)&h[4], &in.sport, &in.dport);
	} else {
		return 0;
	}
	struct np_ct_key k = {};
	np_ct_key_of(&k, ifindex, &in, 0);
	struct np_ct_value *ct = bpf_map_lookup_elem(&np_conntrack, &k);
	if (!ct) {
		np_ct_key_of(&k, ifindex, &in, 1);
		ct = bpf_map_lookup_elem(&np_conntrack, &k);
	}
	return ct && !ct->revoked;
}

/* Later fragments carry no L4 header: the first fragment's ports are remembered per (interface,
 * addresses, protocol, IP id) and given to the later ones, which are then decided as their flow. */
static __always_inline void np_fragment(__u32 ifindex, struct np_flow *f)
{
	struct np_frag_key k = {
		.ifindex = ifindex, .id = f->frag_id, .family = f->family, .proto = f->proto};
	__builtin_memcpy(k.saddr, f->saddr, 16);
	__builtin_memcpy(k.daddr, f->daddr, 16);
	if (f->fragment == NP_FRAG_FIRST) {
		struct np_frag_value v = {.sport = f->sport, .dport = f->dport};
		bpf_map_update_elem(&np_frags, &k, &v, BPF_ANY);
		return;
	}
	struct np_frag_value *v = bpf_map_lookup_elem(&np_frags, &k);
	if (!v) {
		np_stat(NP_STAT_FRAGMENTS_UNKNOWN);
		return;
	}
	f->sport = v->sport;
	f->dport = v->dport;
	f->fragment = NP_FRAG_LATER_KNOWN;
}

static __always_inline int np_handle(struct __sk_buff *skb, __u32 dir)
{
	struct np_flow f = {};
	int parsed = np_parse(skb, &f);
	if (parsed == NP_PARSE_PASS)
		return TC_ACT_OK;

	__u32 ifindex = skb->ifindex;
	struct np_ct_key key = {};
	struct np_decision d = {.reason = NP_REASON_MALFORMED};
	if (parsed == NP_PARSE_MALFORMED) {
		np_ct_key_of(&key, ifindex, &f, 0);
		np_emit(&key, dir, &d);
		np_count(ifindex, dir, &d, skb->len);
		return TC_ACT_SHOT;
	}
	if (f.fragment != NP_FRAG_NONE)
		np_fragment(ifindex, &f);
	int unknown_ports = f.fragment == NP_FRAG_LATER;

	if (!unknown_ports && !f.inner_off) {
		np_ct_key_of(&key, ifindex, &f, 0);
		struct np_ct_value *ct = bpf_map_lookup_elem(&np_conntrack, &key);
		if (ct && ct->direction == dir)
			return np_established(skb, &key, ct, f.tcp_flags, dir);
		np_ct_key_of(&key, ifindex, &f, 1);
		ct = bpf_map_lookup_elem(&np_conntrack, &key);
		if (ct && ct->direction != dir) /* a reply of a flow of the other direction */
			return np_established(skb, &key, ct, f.tcp_flags, dir);
	}
	np_ct_key_of(&key, ifindex, &f, 0);
	if (f.inner_off && np_related(skb, ifindex, &f)) {
		d.verdict = NP_VERDICT_ALLOW;
		d.reason = NP_REASON_RELATED;
		np_count(ifindex, dir, &d, skb->len);
		return TC_ACT_OK;
	}

	d.reason = NP_REASON_NO_POLICY;
	void *rules = bpf_map_lookup_elem(&np_policy, &ifindex);
	struct np_rule_value *meta = rules ? np_meta(rules, dir) : 0;
	if (meta)
		np_evaluate(rules, meta, dir, &key, unknown_ports, &d);

	/* Not in our table and denied as a new flow: it may be a reply of a connection that started
	 * before we tracked it (evicted from a full table, or begun before this backend ran). If the
	 * kernel's conntrack knows it as a reply, decide the connection as it started: the policy of
	 * the other direction, for the reversed tuple. */
	if (d.verdict != NP_VERDICT_ALLOW && rules && !unknown_ports &&
	    (f.proto == IPPROTO_TCP || f.proto == IPPROTO_UDP) &&
	    (np_kernel_reply(skb, &key, 0) || np_kernel_reply(skb, &key, 1))) {
		__u32 odir = dir ^ 1;
		struct np_rule_value *ometa = np_meta(rules, odir);
		if (ometa) {
			struct np_decision od = {};
			np_ct_key_of(&key, ifindex, &f, 1);
			np_evaluate(rules, ometa, odir, &key, 0, &od);
			if (od.verdict == NP_VERDICT_ALLOW) {
				np_ct_insert(&key, odir, od.generation, f.tcp_flags);
				od.reason = NP_REASON_RESUMED;
				np_emit(&key, odir, &od);
				np_count(ifindex, dir, &od, skb->len);
				return TC_ACT_OK;
			}
			np_ct_key_of(&key, ifindex, &f, 0);
		}
	}

	if (d.verdict == NP_VERDICT_ALLOW && !unknown_ports && !f.inner_off)
		np_ct_insert(&key, dir, d.generation, f.tcp_flags);
	/* One event per flow, not per packet: later fragments are logged only when their first
	 * fragment was not seen. */
	if (f.fragment != NP_FRAG_LATER_KNOWN && !(unknown_ports && d.verdict == NP_VERDICT_ALLOW))
		np_emit(&key, dir, &d);
	np_count(ifindex, dir, &d, skb->len);
	return d.verdict == NP_VERDICT_ALLOW ? TC_ACT_OK : TC_ACT_SHOT;
}

SEC("tc")
int netpol_ingress(struct __sk_buff *skb)
{
	return np_handle(skb, NP_DIR_INGRESS);
}

SEC("tc")
int netpol_egress(struct __sk_buff *skb)
{
	return np_handle(skb, NP_DIR_EGRESS);
}

char LICENSE[] SEC("license") = "GPL";
