// SPDX-License-Identifier: GPL-2.0
/* Rejected by the verifier on purpose: reads packet data without a bounds check. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int tc_ok_first(struct __sk_buff *skb)
{
	return TC_ACT_OK;
}

SEC("tc")
int tc_unchecked_read(struct __sk_buff *skb)
{
	__u8 *data = (void *)(long)skb->data;

	return data[20];
}

char LICENSE[] SEC("license") = "GPL";
