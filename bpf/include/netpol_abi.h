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

/* Index into the per-pod outer map np_policy and value of np_ct_value.direction. */
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
};

#define NP_KEY_FIXED_BITS 64 /* kind, tag, zero and class_id: matched exactly in every key */

/*
 * Key of the per-pod, per-direction LPM trie (the inner maps of np_policy).
 * prefixlen counts bits from `kind` on:
 *   META: 64                      (kind=META, everything else 0)
 *   ADDR: 64 + peer prefix length (tag = 4 or 6, class_id = 0, addr = peer prefix)
 *   PORT: 64 + port prefix length (tag = IP protocol, class_id, port = range block, big-endian)
 * Port ranges are decomposed into prefix-aligned blocks, so a range costs keys, never loops.
 */
struct np_rule_key {
	__u32 prefixlen;
	__u8 kind;
	__u8 tag;
	__u16 zero;
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

/* Node-wide conntrack key: the flow as its first packet saw it, on one host interface. */
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

/* Per-pod identity record (np_pod, one entry), so pins explain themselves with the agent down. */
struct np_pod_info {
	char pod_namespace[64];
	char pod_name[256];
	char ifname[16];
	char policy_digest[32]; /* PodPolicy.digest() of the programmed state, NUL-terminated */
	char object_digest[32]; /* digest of the .o the pinned programs came from */
	__u32 ifindex;
	__u32 generation;
	__u8 ipv4[4];
	__u8 ipv6[16];
	__u8 has_ipv4;
	__u8 has_ipv6;
	__u16 zero;
};

_Static_assert(sizeof(struct np_rule_key) == 28, "np_rule_key layout");
_Static_assert(sizeof(struct np_rule_value) == 16, "np_rule_value layout");
_Static_assert(sizeof(struct np_ct_key) == 44, "np_ct_key layout");
_Static_assert(sizeof(struct np_ct_value) == 16, "np_ct_value layout");
_Static_assert(sizeof(struct np_event) == 64, "np_event layout");
_Static_assert(sizeof(struct np_pod_info) == 432, "np_pod_info layout");

#endif
