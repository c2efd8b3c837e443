/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one definition of every layout shared between the netpol datapath and its Java userspace:
 * map keys and values, ring-buffer records, enums. Java mirrors these in
 * dev.netpol.backend.ebpf.internal.abi and a test checks them against the BTF of the compiled
 * object, so change them here first and the test tells you what to follow in Java.
 * All multi-byte fields are host byte order unless typed __be16 (network order, as on the wire).
 */
#ifndef NETPOL_ABI_H
#define NETPOL_ABI_H

#include <linux/types.h>

/* np_rule_key.direction, np_ct_value.direction, np_event.direction. */
enum np_direction {
	NP_DIR_INGRESS = 0, /* traffic into the pod: host veth tc egress, peer = source */
	NP_DIR_EGRESS = 1,  /* traffic out of the pod: host veth tc ingress, peer = destination */
};

/* Leading byte of every rule key: one trie holds three kinds of keys that never overlap. */
enum np_key_kind {
	NP_KEY_META = 1, /* exactly one per trie: the direction's state and policy generation */
	NP_KEY_ADDR = 2, /* (family, peer prefix) -> address class */
	NP_KEY_PORT = 3, /* (class, IP protocol, destination port prefix) -> allowed */
};

/* np_rule_value.state of the META entry. */
enum np_state {
	NP_STATE_DEFAULT_ALLOW = 1,    /* direction not isolated: everything passes */
	NP_STATE_DEFAULT_DENY = 2,     /* strict mode before policies are known */
	NP_STATE_POLICIES_APPLIED = 3, /* only what ADDR/PORT keys allow passes */
};

/* np_rule_value.flags of an ADDR entry. */
enum np_addr_flags {
	NP_ADDR_ALL_TRAFFIC = 1, /* some rule allows every protocol and port from/to this prefix */
};

enum np_verdict {
	NP_VERDICT_DENY = 0,
	NP_VERDICT_ALLOW = 1,
};

/* Why a verdict was taken, reported in np_event.reason. */
enum np_reason {
	NP_REASON_RULE = 1,          /* an ADDR(+PORT) key allowed it */
	NP_REASON_NO_RULE = 2,       /* isolated and no key allowed it */
	NP_REASON_DEFAULT_ALLOW = 3, /* direction not isolated */
	NP_REASON_DEFAULT_DENY = 4,  /* strict mode, policies not yet known */
	NP_REASON_NO_POLICY = 5,     /* program attached but the pod's trie is missing: fail closed */
	NP_REASON_FRAGMENT = 6,      /* non-first fragment: allowed only by all-ports rules */
	NP_REASON_REVOKED = 7,       /* established flow no longer allowed after a policy change */
	NP_REASON_MALFORMED = 8,     /* truncated or unparsable IP packet */
	NP_REASON_ESTABLISHED = 9,   /* a packet of a flow in np_conntrack (either way) */
	NP_REASON_RELATED = 10,      /* ICMP/ICMPv6 error quoting a flow in np_conntrack */
	NP_REASON_RESUMED = 11,      /* not in np_conntrack, but the kernel's conntrack knows it as a
				      * reply and its original direction is allowed: entry re-created */
};

/* Slots of the per-CPU np_stats array. */
enum np_stat {
	NP_STAT_EVENTS_LOST = 0,        /* np_events full: bpf_ringbuf_reserve failed */
	NP_STAT_EVENTS_SAMPLED_OUT = 1, /* np_events busy (over half full): event skipped by sampling */
	NP_STAT_COUNTERS_FULL = 2,      /* np_counters full: the packet is not counted */
	NP_STAT_FRAGMENTS_UNKNOWN = 3,  /* later fragment whose first fragment was not seen */
	NP_STAT_MAX = 8,
};

#define NP_KEY_FIXED_BITS 64 /* kind, tag, direction, zero, class_id: matched exactly in every key */

/*
 * Key of a pod's LPM trie (the inner maps of np_policy): both directions in one trie, so one map
 * update swaps a pod's whole policy. prefixlen counts bits from `kind` on; kind, tag, direction,
 * zero and class_id (the first 64 bits) are always matched exactly:
 *   META: 64                      (kind=META, direction, everything else 0)
 *   ADDR: 64 + peer prefix length (tag = 4 or 6, direction, class_id = 0, addr = peer prefix)
 *   PORT: 64 + port prefix length (tag = IP protocol, direction, class_id, port = range block,
 *                                  big-endian)
 * Port ranges are decomposed into prefix-aligned blocks, so a range costs keys, never loops.
 */
struct np_rule_key {
	__u32 prefixlen;
	__u8 kind;
	__u8 tag;
	__u8 direction; /* enum np_direction */
	__u8 zero;
	__u32 class_id;
	union {
		__u8 addr[16];
		__be16 port;
	};
};

/* Value of every rule key. */
struct np_rule_value {
	__u32 class_id;   /* ADDR: class of the prefix (0 = nothing allowed) */
	__u32 flags;      /* ADDR: enum np_addr_flags */
	__u32 state;      /* META: enum np_state */
	__u32 generation; /* META: policy generation; conntrack entries older than it are re-checked */
};

/* Node-wide conntrack key: the flow as its first packet saw it, on one host interface.
 * ICMP has no ports: an echo request keeps its echo id as sport and the request type (8, or 128
 * for ICMPv6) as dport, an echo reply the other way round, so a reply's reversed key is its
 * request's key. Other ICMP types: sport = type, dport = 0 (nothing matches them as a reply). */
struct np_ct_key {
	__u32 ifindex; /* host veth: keeps one pod's (possibly spoofed) flows from matching another's */
	__u8 family;   /* 4 or 6 */
	__u8 proto;
	__be16 sport;
	__be16 dport;
	__u16 zero;
	__u8 saddr[16];
	__u8 daddr[16];
};

struct np_ct_value {
	__u64 last_seen_ns; /* bpf_ktime_get_ns (CLOCK_MONOTONIC) of the last packet */
	__u32 generation;   /* policy generation the flow was last allowed under */
	__u8 direction;     /* enum np_direction whose policy allowed the flow */
	__u8 closing;       /* TCP FIN or RST seen (or revoked): the GC uses a short timeout */
	__u8 revoked;       /* denied at `generation`: drop both ways until the policy changes */
	__u8 zero;
};

/* Ring-buffer record of each new-flow (and revocation) decision. */
struct np_event {
	__u64 timestamp_ns;
	__u32 ifindex;
	__u32 class_id;   /* address class that decided, 0 if none */
	__u32 generation; /* policy generation the decision was taken under */
	__u8 family;
	__u8 proto;
	__u8 direction; /* enum np_direction */
	__u8 verdict;   /* enum np_verdict */
	__u8 reason;    /* enum np_reason */
	__u8 zero[3];
	__be16 sport;
	__be16 dport;
	__u8 saddr[16];
	__u8 daddr[16];
};

/* Pod identity record (np_pods, keyed by the host ifindex), so pins explain themselves with the
 * agent down. Written after the pod's trie (and deleted before it), so its digest never names
 * rules not yet in force, and its generation is never newer than the trie's: the programs compare
 * established flows against this generation (one hash lookup) and consult the trie's META key
 * only when they differ. */
struct np_pod_info {
	char pod_namespace[64];
	char pod_name[256];
	char ifname[16];
	char policy_digest[32]; /* PodPolicy.digest() of the programmed state, NUL-terminated */
	__u32 ifindex;
	__u32 generation;
	__u8 ipv4[4];
	__u8 ipv6[16];
	__u8 has_ipv4;
	__u8 has_ipv6;
	__u16 slot; /* 1 + the pod's index in np_est_counters, 0 = none (counted in np_counters) */
};

/* The node's datapath (np_node, one entry): which object the pinned programs came from. */
struct np_node_info {
	char object_digest[32]; /* digest of the netpol.o the pinned programs were loaded from */
	__u64 loaded_unix_ms;   /* when they were loaded */
};

/* Who holds the pin root (global/np_holder, written by userspace under its flock of the root). */
struct np_holder {
	__u32 pid;
	__u32 zero;
	__u64 started_unix_ms;
	char node[64];     /* node name, or the host name */
	char command[256]; /* command line, truncated */
};

/* Fragment tracking (np_frags): the first fragment's ports, for the later ones of that packet. */
struct np_frag_key {
	__u32 ifindex;
	__u32 id; /* IPv4 identification (16 bits) or IPv6 fragment header id */
	__u8 family;
	__u8 proto;
	__u16 zero;
	__u8 saddr[16];
	__u8 daddr[16];
};

struct np_frag_value {
	__be16 sport;
	__be16 dport;
};

/* Per-CPU packet counters (np_counters): every decided packet, by pod, direction, verdict, reason
 * and the address class that decided it (0 for established flows and default verdicts).
 * Exception: allowed packets of established flows of a pod with a slot are counted in the per-CPU
 * array np_est_counters at index (slot - 1) * 2 + direction (an array lookup the verifier inlines
 * instead of a hash lookup per packet); userspace adds them to (ifindex, 0, direction, ALLOW,
 * ESTABLISHED). */
struct np_counter_key {
	__u32 ifindex;
	__u32 class_id;
	__u8 direction;
	__u8 verdict;
	__u8 reason;
	__u8 zero;
};

struct np_counter {
	__u64 packets;
	__u64 bytes;
};

_Static_assert(sizeof(struct np_rule_key) == 28, "np_rule_key layout");
_Static_assert(sizeof(struct np_rule_value) == 16, "np_rule_value layout");
_Static_assert(sizeof(struct np_ct_key) == 44, "np_ct_key layout");
_Static_assert(sizeof(struct np_ct_value) == 16, "np_ct_value layout");
_Static_assert(sizeof(struct np_event) == 64, "np_event layout");
_Static_assert(sizeof(struct np_pod_info) == 400, "np_pod_info layout");
_Static_assert(sizeof(struct np_node_info) == 40, "np_node_info layout");
_Static_assert(sizeof(struct np_holder) == 336, "np_holder layout");
_Static_assert(sizeof(struct np_frag_key) == 44, "np_frag_key layout");
_Static_assert(sizeof(struct np_frag_value) == 4, "np_frag_value layout");
_Static_assert(sizeof(struct np_counter_key) == 12, "np_counter_key layout");
_Static_assert(sizeof(struct np_counter) == 16, "np_counter layout");

#endif
