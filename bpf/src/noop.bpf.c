// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* noop.bpf.c — a TC program that does nothing: the baseline of bench/kernel. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tc")
int gl_noop(struct __sk_buff *skb)
{
	return TC_ACT_OK;
}
