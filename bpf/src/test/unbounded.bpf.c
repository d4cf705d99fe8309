// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* unbounded.bpf.c — a TC program the verifier must reject (packet read without a bounds
 * check). Built only for collector tests of the "verifier log" error path; never shipped. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tc")
int gl_unbounded(struct __sk_buff *skb)
{
	unsigned char *data = (void *)(long)skb->data;
	return data[100] == 0x45 ? TC_ACT_UNSPEC : TC_ACT_OK; /* no check against data_end */
}
