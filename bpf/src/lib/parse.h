/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * parse.h — Ethernet (802.1Q/802.1ad), IPv4, IPv6, TCP header parsing.
 *
 * API:
 *   gl_parse_packet(skb, &pkt) -> 0 for a TCP segment (pkt filled), <0 for anything
 *   else, which the caller passes untouched (TC_ACT_OK).
 *
 * Direct packet access only: it is the fast path for every packet on the host.
 * A segment whose headers are not in the linear area is pulled once (content unchanged).
 */
#ifndef GL_PARSE_H
#define GL_PARSE_H

#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <linux/tcp.h>

#define GL_TCP_FIN 0x01
#define GL_TCP_SYN 0x02
#define GL_TCP_RST 0x04
#define GL_TCP_ACK 0x10

struct gl_vlan_hdr {
	__be16 tci;
	__be16 proto;
};

struct gl_pkt {
	__u8 saddr[16] __attribute__((aligned(8))); /* IPv4 stored as ::ffff:a.b.c.d */
	__u8 daddr[16];
	__u16 sport; /* host order */
	__u16 dport;
	__u32 seq;
	__u32 ack;
	__u32 payload_off; /* from skb->data */
	__u32 payload_len;
	__u8 tcp_flags;
	__u8 family;
	__u8 _pad[2];
};

/* Bytes of headers we may need linear: eth + 2 vlan + ipv6 + 2 ext + tcp with options. */
#define GL_PULL_LEN 192

static __always_inline void gl_v4_mapped(__u8 *dst, __be32 addr)
{
	/* ::ffff:a.b.c.d in three stores (dst is 8-byte aligned: struct gl_pkt) */
	*(__u64 *)dst = 0;
	*(__be32 *)(dst + 8) = bpf_htonl(0xffff);
	*(__be32 *)(dst + 12) = addr;
}

static __always_inline int gl_parse_packet_once(struct __sk_buff *skb, struct gl_pkt *p)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	__u32 off = sizeof(*eth);
	__u32 l4_len;
	__be16 proto;

	if ((void *)(eth + 1) > data_end)
		return -2;
	proto = eth->h_proto;

#pragma unroll
	for (int i = 0; i < 2; i++) {
		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		struct gl_vlan_hdr *vh = data + off;
		if ((void *)(vh + 1) > data_end)
			return -2;
		proto = vh->proto;
		off += sizeof(*vh);
	}

	__u8 l4proto;
	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = data + off;
		if ((void *)(ip + 1) > data_end)
			return -2;
		if (ip->protocol != IPPROTO_TCP)
			return -1;
		if (ip->frag_off & bpf_htons(0x1fff)) /* not the first fragment */
			return -1;
		__u32 ihl = ip->ihl * 4;
		__u32 tot = bpf_ntohs(ip->tot_len);
		if (ihl < sizeof(*ip) || tot < ihl)
			return -1;
		p->family = 4;
		gl_v4_mapped(p->saddr, ip->saddr);
		gl_v4_mapped(p->daddr, ip->daddr);
		off += ihl;
		/* GSO super-packets keep a valid tot_len; 0 means "see skb" (TSO > 64K) */
		l4_len = tot ? tot - ihl : skb->len - off;
		l4proto = IPPROTO_TCP;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = data + off;
		if ((void *)(ip6 + 1) > data_end)
			return -2;
		__u32 plen = bpf_ntohs(ip6->payload_len);
		l4proto = ip6->nexthdr;
		p->family = 6;
		__builtin_memcpy(p->saddr, &ip6->saddr, 16);
		__builtin_memcpy(p->daddr, &ip6->daddr, 16);
		off += sizeof(*ip6);
		/* BIG TCP / jumbograms carry payload_len 0 */
		l4_len = plen ? plen : skb->len - off;
#pragma unroll
		for (int i = 0; i < 3; i++) {
			if (l4proto != IPPROTO_HOPOPTS && l4proto != IPPROTO_ROUTING &&
			    l4proto != IPPROTO_DSTOPTS)
				break;
			struct ipv6_opt_hdr *eh = data + off;
			if ((void *)(eh + 1) > data_end)
				return -2;
			__u32 elen = (eh->hdrlen + 1) * 8;
			l4proto = eh->nexthdr;
			off += elen;
			if (l4_len < elen)
				return -1;
			l4_len -= elen;
		}
		if (l4proto != IPPROTO_TCP)
			return -1; /* fragments, other protocols */
	} else {
		return -1;
	}

	struct tcphdr *tcp = data + (off & 0xff);
	if ((void *)(tcp + 1) > data_end)
		return -2;
	__u32 doff = tcp->doff * 4;
	if (doff < sizeof(*tcp) || l4_len < doff)
		return -1;
	p->sport = bpf_ntohs(tcp->source);
	p->dport = bpf_ntohs(tcp->dest);
	p->seq = bpf_ntohl(tcp->seq);
	p->ack = bpf_ntohl(tcp->ack_seq);
	p->tcp_flags = ((__u8 *)tcp)[13];
	p->payload_off = (off & 0xff) + doff;
	p->payload_len = l4_len - doff;
	if (p->payload_off + p->payload_len > skb->len) /* lying length fields */
		return -1;
	return 0;
}

static __always_inline int gl_parse_packet(struct __sk_buff *skb, struct gl_pkt *p)
{
	int ret = gl_parse_packet_once(skb, p);
	if (ret != -2)
		return ret;
	/* headers outside the linear area: pull them in once (content unchanged) */
	__u32 want = skb->len < GL_PULL_LEN ? skb->len : GL_PULL_LEN;
	if (want <= skb->data_end - skb->data || bpf_skb_pull_data(skb, want))
		return -1;
	return gl_parse_packet_once(skb, p) == 0 ? 0 : -1;
}

#endif /* GL_PARSE_H */
