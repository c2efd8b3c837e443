// SPDX-License-Identifier: GPL-2.0
/* The smallest tc program netpol ships: passes every packet. The platform's tests load it to
 * prove that clang output passes the kernel verifier on this machine. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int netpol_probe(struct __sk_buff *skb)
{
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
