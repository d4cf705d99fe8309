/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * flow.h — per-connection HTTP state: the flow table and the FIFO of unanswered requests.
 *
 * API:
 *   gl_flow_key_of(&pkt, &key) -> 1 when the sender is key.a, 0 when it is key.b.
 *   gl_flows          LRU hash: canonical 4-tuple -> struct gl_conn
 *   gl_pending        LRU hash: {flow, sequence number} -> struct gl_pending (one per
 *                     request waiting for its response; FIFO [conn.head, conn.tail)),
 *                     except the one kept inline in gl_conn.inl (see there)
 *
 *   gl_flow_gate      flows created per slot of a hash of the key: a segment whose slot is 0
 *                     belongs to no tracked flow and skips the gl_flows lookup
 *
 * The key is canonical (smaller address/port first) so both directions of a connection
 * find the same entry with one lookup. Each direction's parser state lives in its own
 * struct gl_half; the client side pushes to the FIFO tail, the server side pops the head,
 * so the two hooks (possibly on two CPUs) never write the same field.
 */
#ifndef GL_FLOW_H
#define GL_FLOW_H

#include "parse.h"

#ifndef GL_MAX_FLOWS
#define GL_MAX_FLOWS 65536 /* default; user space may resize before load */
#endif
#ifndef GL_MAX_PENDING
#define GL_MAX_PENDING 65536
#endif
#ifndef GL_PENDING_MAP_TYPE
#define GL_PENDING_MAP_TYPE BPF_MAP_TYPE_LRU_HASH
#endif
#define GL_PENDING_PER_FLOW 64 /* unanswered (pipelined) requests per connection */

/* framing state of one direction of the byte stream */
#define GL_S_START 0       /* at a message boundary: a request/status line is due */
#define GL_S_HEADERS 1     /* header block continues in a later segment */
#define GL_S_BODY_LEN 2    /* Content-Length body: `remaining` bytes left */
#define GL_S_BODY_CHUNKED 3
#define GL_S_BODY_EOF 4    /* response body ends at close or at the next request */
#define GL_S_RESYNC 5      /* framing lost: wait for a segment that starts a message */
#define GL_S_TUNNEL 6      /* after 101 / CONNECT 2xx the bytes are not HTTP any more */

/* header-scan carry-over between segments (gl_half.hdr_flags) */
#define GL_H_CHUNKED (1 << 0)
#define GL_H_HAS_CL (1 << 1)
#define GL_H_PARTIAL (1 << 2)    /* the last segment ended inside a header line */
#define GL_H_PARTIAL_CR (1 << 3) /* ... and that line so far is a lone CR */
#define GL_H_CARRY (1 << 4)      /* the start of the next head waits in gl_carry */

/* what the request asks of the response's framing (gl_pending.kind) */
#define GL_REQ_PLAIN 0
#define GL_REQ_HEAD 1    /* response has no body */
#define GL_REQ_CONNECT 2 /* 2xx response opens a tunnel */

struct gl_flow_key {
	__u8 a[16];
	__u8 b[16];
	__u16 port_a;
	__u16 port_b;
	__u32 _pad;
};

struct gl_half {
	__u64 remaining; /* BODY_LEN: body bytes left; CHUNKED: bytes left of chunk data */
	__u64 msg_bytes; /* bytes of the current message so far */
	__u64 last_ns;   /* time of the newest byte of the current message */
	__u64 hdr_cl;    /* Content-Length found so far in a split header block */
	__u32 next_seq;  /* next sequence number expected */
	__u8 seq_known;
	__u8 state;       /* GL_S_* */
	__u8 chunk_state; /* GL_CH_* (http.h) */
	__u8 hdr_flags;   /* GL_H_* */
};

struct gl_pending_key {
	struct gl_flow_key flow;
	__u32 idx;
	__u32 _pad;
};

struct gl_pending {
	__u64 start_ns;
	__u64 req_bytes;
	__u16 flags; /* GL_F_* known at request time */
	__u16 path_len;
	__u8 method_len;
	__u8 host_len;
	__u8 kind; /* GL_REQ_* */
	__u8 _pad;
	char method[GL_METHOD_MAX];
	char host[GL_HOST_MAX];
	char path[GL_PATH_MAX];
};

struct gl_conn {
	struct gl_half cli;
	struct gl_half srv;
	__u64 last_ns;       /* newest packet either way: the idle sweep reads it */
	__u64 resp_first_ns; /* first byte of the response in progress */
	__u32 head;          /* FIFO of unanswered requests: [head, tail) */
	__u32 tail;
	__u32 ifindex;
	__u16 status;     /* status of the response in progress, 0 when none */
	__u16 resp_flags; /* GL_F_* gathered while the response is in progress */
	__u8 client_is_a; /* the client end is key.a */
	__u8 direction;   /* GL_DIR_* */
	__u8 family;
	__u8 fin;         /* bit 0: client sent FIN, bit 1: server sent FIN */
	__u8 resp_active; /* a final response head was parsed, body not yet complete */
	__u8 resp_matched; /* ... and it belongs to pending[head] */
	__u8 resp_kind;    /* GL_REQ_* of that request */
	__u8 inl_valid;    /* `inl` holds request number inl_idx */
	__u32 inl_idx;
	__u32 _pad2;
	/* A request pushed while none was pending lives here, not in gl_pending: most
	 * connections never pipeline, and a hash update per request is the costliest step of
	 * the request path (measured: ~400 ns of ~1.4 us). Written by the client side only. */
	struct gl_pending inl;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, GL_MAX_FLOWS);
	__type(key, struct gl_flow_key);
	__type(value, struct gl_conn);
} gl_flows SEC(".maps");

struct {
	__uint(type, GL_PENDING_MAP_TYPE);
	__uint(max_entries, GL_MAX_PENDING);
	__type(key, struct gl_pending_key);
	__type(value, struct gl_pending);
} gl_pending SEC(".maps");

/*
 * Most TCP segments (TLS, other protocols) belong to no tracked flow, and a gl_flows lookup of
 * a key not seen recently is a cache miss in a table of 64 Ki buckets (~100 ns here). The gate
 * is small enough to stay in the cache. A slot is incremented after its flow is inserted and
 * only the sweep lowers it, to the count of live flows (compare-and-swap: a slot that changed
 * meanwhile keeps its value), so a tracked flow's slot is never 0 — except for the instant
 * between the insert and the increment, when a segment of that new flow on another CPU would
 * be taken for untracked (its flow is not created twice: the insert is BPF_NOEXIST). Flows
 * that end or are evicted leave their slot counted until the sweep: a lookup too many.
 */
#define GL_FLOW_GATE_SLOTS 1024 /* power of two; 4 KiB */
__u32 gl_flow_gate[GL_FLOW_GATE_SLOTS] = {};

static __always_inline __u32 gl_flow_slot(const struct gl_flow_key *k)
{
	__u32 x = *(const __u32 *)(k->a + 12) ^ (*(const __u32 *)(k->b + 12) * 0x9e3779b1u) ^
		  ((__u32)k->port_a << 16 | k->port_b);
	x *= 0x85ebca6bu;
	x ^= x >> 16;
	return x & (GL_FLOW_GATE_SLOTS - 1);
}

static __always_inline int gl_addr_port_less(const __u8 *a, __u16 pa, const __u8 *b, __u16 pb)
{
	__u64 a0 = *(const __u64 *)a, a1 = *(const __u64 *)(a + 8);
	__u64 b0 = *(const __u64 *)b, b1 = *(const __u64 *)(b + 8);
	if (a0 != b0)
		return a0 < b0;
	if (a1 != b1)
		return a1 < b1;
	return pa < pb;
}

/* Fills the canonical key; returns 1 when the packet's sender is key.a. */
static __always_inline int gl_flow_key_of(const struct gl_pkt *p, struct gl_flow_key *k)
{
	int sender_is_a = gl_addr_port_less(p->saddr, p->sport, p->daddr, p->dport);
	k->_pad = 0;
	if (sender_is_a) {
		__builtin_memcpy(k->a, p->saddr, 16);
		__builtin_memcpy(k->b, p->daddr, 16);
		k->port_a = p->sport;
		k->port_b = p->dport;
	} else {
		__builtin_memcpy(k->a, p->daddr, 16);
		__builtin_memcpy(k->b, p->saddr, 16);
		k->port_a = p->dport;
		k->port_b = p->sport;
	}
	return sender_is_a;
}

/*
 * A message head cut by a segment boundary is kept here (up to GL_CARRY_MAX bytes) and parsed
 * whole with the next segment, so pipelined messages packed across segments keep their method,
 * path, status and framing. Key: the flow and the side (idx = 0 client, 1 server).
 */
#define GL_CARRY_MAX 1024

struct gl_carry {
	__u64 ns;  /* time of the head's first byte */
	__u32 len;
	__u32 _pad;
	__u8 bytes[GL_CARRY_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct gl_pending_key);
	__type(value, struct gl_carry);
} gl_carry SEC(".maps");

#endif /* GL_FLOW_H */
