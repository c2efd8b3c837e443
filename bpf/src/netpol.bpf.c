// SPDX-License-Identifier: GPL-2.0
/*
 * netpol datapath: NetworkPolicy enforcement on a pod's host veth.
 *   netpol_ingress  on the host veth's tc egress  (packets into the pod, peer = source)
 *   netpol_egress   on the host veth's tc ingress (packets out of the pod, peer = destination)
 * Per packet: parse (IPv4 options, IPv6 extension headers, fragments), pass non-IP and IPv6
 * neighbour discovery, look the flow up in conntrack (forward, then reverse), and evaluate new
 * flows against the pod's LPM trie for the direction. See bpf/README.md for the design.
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

#define NP_CT_MAX_ENTRIES (512 * 1024)
#define NP_RULES_MAX_ENTRIES 65536 /* template only: each pod's trie is sized by userspace */
#define NP_IPV6_EXT_MAX 8
#define NP_PROTO_ICMPV6 58
#define NP_PROTO_SCTP 132

/* ---- maps ---- */

struct np_rules {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(key_size, sizeof(struct np_rule_key)); /* libbpf 1.1 cannot size inner __type()s */
	__uint(value_size, sizeof(struct np_rule_value));
	__uint(max_entries, NP_RULES_MAX_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
};

/* Per pod: [NP_DIR_INGRESS] and [NP_DIR_EGRESS] -> that direction's trie. Userspace swaps a
 * whole trie in with one update, so a packet sees either the old rule set or the new one. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct np_rules);
} np_policy SEC(".maps");

/* Per pod: who this program set serves (read by userspace only). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct np_pod_info);
} np_pod SEC(".maps");

/* Node-wide (userspace reuses one pinned instance for every pod). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, NP_CT_MAX_ENTRIES);
	__type(key, struct np_ct_key);
	__type(value, struct np_ct_value);
} np_conntrack SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);
} np_events SEC(".maps");

/* Never used by code: keeps every ABI struct in the object's BTF for the Java layout check. */
struct np_layouts {
	struct np_event event;
	struct np_rule_key rule_key;
	struct np_rule_value rule_value;
	struct np_ct_key ct_key;
	struct np_ct_value ct_value;
	struct np_pod_info pod_info;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct np_layouts);
} np_layout SEC(".maps");

/* ---- parsing ---- */

struct np_flow {
	__u8 family;
	__u8 proto;
	__u8 tcp_flags;
	__u8 later_fragment; /* non-first fragment: no L4 header */
	__be16 sport;
	__be16 dport;
	__u8 saddr[16];
	__u8 daddr[16];
};

enum np_parse { NP_PARSE_POLICY, NP_PARSE_PASS, NP_PARSE_MALFORMED };

#define TCP_FLAG_FIN 0x01
#define TCP_FLAG_RST 0x04

static __always_inline int np_parse_l4(struct __sk_buff *skb, __u32 off, struct np_flow *f)
{
	if (f->later_fragment)
		return NP_PARSE_POLICY;
	if (f->proto == IPPROTO_TCP || f->proto == IPPROTO_UDP || f->proto == NP_PROTO_SCTP) {
		__be16 ports[2];
		if (bpf_skb_load_bytes(skb, off, ports, sizeof(ports)))
			return NP_PARSE_MALFORMED;
		f->sport = ports[0];
		f->dport = ports[1];
		if (f->proto == IPPROTO_TCP && bpf_skb_load_bytes(skb, off + 13, &f->tcp_flags, 1))
			return NP_PARSE_MALFORMED;
	} else if (f->proto == NP_PROTO_ICMPV6) {
		__u8 type;
		if (bpf_skb_load_bytes(skb, off, &type, 1))
			return NP_PARSE_MALFORMED;
		/* Router/neighbour solicitation and advertisement, redirect: pods need them for L2. */
		if (type >= 133 && type <= 137)
			return NP_PARSE_PASS;
	}
	return NP_PARSE_POLICY;
}

static __always_inline int np_parse_ipv4(struct __sk_buff *skb, struct np_flow *f)
{
	struct iphdr ip;
	if (bpf_skb_load_bytes(skb, ETH_HLEN, &ip, sizeof(ip)))
		return NP_PARSE_MALFORMED;
	if (ip.version != 4 || ip.ihl < 5)
		return NP_PARSE_MALFORMED;
	f->family = 4;
	f->proto = ip.protocol;
	__builtin_memcpy(f->saddr, &ip.saddr, 4);
	__builtin_memcpy(f->daddr, &ip.daddr, 4);
	f->later_fragment = (bpf_ntohs(ip.frag_off) & 0x1fff) != 0;
	return np_parse_l4(skb, ETH_HLEN + ip.ihl * 4, f);
}

static __always_inline int np_parse_ipv6(struct __sk_buff *skb, struct np_flow *f)
{
	struct ipv6hdr ip6;
	if (bpf_skb_load_bytes(skb, ETH_HLEN, &ip6, sizeof(ip6)))
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
		if (bpf_skb_load_bytes(skb, off, hdr, sizeof(hdr)))
			return NP_PARSE_MALFORMED;
		if (next == IPPROTO_FRAGMENT) {
			if ((bpf_ntohs(*(__be16 *)&hdr[2]) & 0xfff8) != 0)
				f->later_fragment = 1;
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

/* ---- policy ---- */

struct np_decision {
	__u8 verdict;
	__u8 reason;
	__u32 class_id;
	__u32 generation;
};

static __always_inline void *np_rules_of(__u32 dir)
{
	return bpf_map_lookup_elem(&np_policy, &dir);
}

static __always_inline struct np_rule_value *np_meta(void *rules)
{
	struct np_rule_key key = {.prefixlen = NP_KEY_FIXED_BITS, .kind = NP_KEY_META};
	return bpf_map_lookup_elem(rules, &key);
}

/* Decides a flow (in its original orientation) against one direction's rules: at most two
 * trie lookups after the META entry, whatever the number of rules. */
static __always_inline void np_evaluate(void *rules, struct np_rule_value *meta, __u32 dir,
					struct np_flow *f, struct np_decision *d)
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
	d->reason = f->later_fragment ? NP_REASON_FRAGMENT : NP_REASON_NO_RULE;

	struct np_rule_key key = {.kind = NP_KEY_ADDR, .tag = f->family};
	key.prefixlen = NP_KEY_FIXED_BITS + (f->family == 4 ? 32 : 128);
	__builtin_memcpy(key.addr, dir == NP_DIR_INGRESS ? f->saddr : f->daddr, 16);
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
	    (f->proto != IPPROTO_TCP && f->proto != IPPROTO_UDP && f->proto != NP_PROTO_SCTP))
		return;
	struct np_rule_key port = {.kind = NP_KEY_PORT, .tag = f->proto, .class_id = addr->class_id};
	/* A later fragment has no port: only an all-ports key (port prefix /0) can match it. */
	port.prefixlen = NP_KEY_FIXED_BITS + (f->later_fragment ? 0 : 16);
	port.port = f->dport;
	if (bpf_map_lookup_elem(rules, &port)) {
		d->verdict = NP_VERDICT_ALLOW;
		d->reason = NP_REASON_RULE;
	}
}

/* ---- conntrack and events ---- */

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

static __always_inline void np_emit(struct np_ct_key *k, __u32 dir, struct np_decision *d)
{
	struct np_event *e = bpf_ringbuf_reserve(&np_events, sizeof(*e), 0);
	if (!e)
		return;
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

/* A conntrack hit: pass at once if the pod's policy generation is unchanged, else re-decide the
 * flow (key orientation) against the direction that allowed it. A flow denied now is not deleted
 * but kept as revoked: otherwise the peer's next packet would start a "new" flow in the other
 * direction and re-open the connection through the other direction's policy. */
static __always_inline int np_established(struct np_ct_key *k, struct np_ct_value *ct,
					  struct np_flow *orig, __u8 tcp_flags)
{
	__u32 dir = ct->direction;
	void *rules = np_rules_of(dir);
	struct np_rule_value *meta = rules ? np_meta(rules) : 0;
	if (!meta)
		return TC_ACT_SHOT;
	if (ct->generation != meta->generation) {
		struct np_decision d = {};
		np_evaluate(rules, meta, dir, orig, &d);
		ct->generation = meta->generation;
		if (d.verdict != NP_VERDICT_ALLOW) {
			ct->revoked = 1;
			ct->closing = 1;
			d.reason = NP_REASON_REVOKED;
			np_emit(k, dir, &d);
			return TC_ACT_SHOT;
		}
		ct->revoked = 0;
	}
	if (ct->revoked)
		return TC_ACT_SHOT;
	ct->last_seen_ns = bpf_ktime_get_ns();
	if (tcp_flags & (TCP_FLAG_FIN | TCP_FLAG_RST))
		ct->closing = 1;
	return TC_ACT_OK;
}

static __always_inline int np_handle(struct __sk_buff *skb, __u32 dir)
{
	struct np_flow f = {};
	int parsed = np_parse(skb, &f);
	if (parsed == NP_PARSE_PASS)
		return TC_ACT_OK;

	struct np_ct_key key = {};
	np_ct_key_of(&key, skb->ifindex, &f, 0);
	if (parsed == NP_PARSE_MALFORMED) {
		struct np_decision d = {.reason = NP_REASON_MALFORMED};
		np_emit(&key, dir, &d);
		return TC_ACT_SHOT;
	}

	if (!f.later_fragment) {
		struct np_ct_value *ct = bpf_map_lookup_elem(&np_conntrack, &key);
		if (ct && ct->direction == dir)
			return np_established(&key, ct, &f, f.tcp_flags);
		struct np_ct_key rkey = {};
		np_ct_key_of(&rkey, skb->ifindex, &f, 1);
		ct = bpf_map_lookup_elem(&np_conntrack, &rkey);
		if (ct && ct->direction != dir) {
			struct np_flow orig = f;
			__builtin_memcpy(orig.saddr, f.daddr, 16);
			__builtin_memcpy(orig.daddr, f.saddr, 16);
			orig.sport = f.dport;
			orig.dport = f.sport;
			return np_established(&rkey, ct, &orig, f.tcp_flags);
		}
	}

	struct np_decision d = {.reason = NP_REASON_NO_POLICY};
	void *rules = np_rules_of(dir);
	struct np_rule_value *meta = rules ? np_meta(rules) : 0;
	if (meta)
		np_evaluate(rules, meta, dir, &f, &d);
	if (d.verdict == NP_VERDICT_ALLOW && !f.later_fragment) {
		struct np_ct_value v = {
			.last_seen_ns = bpf_ktime_get_ns(),
			.generation = d.generation,
			.direction = dir,
			.closing = (f.tcp_flags & (TCP_FLAG_FIN | TCP_FLAG_RST)) != 0,
		};
		bpf_map_update_elem(&np_conntrack, &key, &v, BPF_ANY);
	}
	/* Later fragments of allowed traffic are not logged: one event per flow, not per packet. */
	if (!(f.later_fragment && d.verdict == NP_VERDICT_ALLOW))
		np_emit(&key, dir, &d);
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
