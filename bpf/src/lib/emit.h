/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * emit.h — one record per transaction into the ring buffer; the pending-request FIFO.
 *
 * API (global functions; they work on w->key / w->conn):
 *   gl_emit(idx, flags, with_response)  write pending[idx] (+ the response in w->conn)
 *                                       as a struct gl_http_record, then forget it
 *   gl_response_done(flags)             the response in progress is complete
 *   gl_flush(flags)                     the connection ends: close the response in
 *                                       progress, report every unanswered request
 */
#ifndef GL_EMIT_H
#define GL_EMIT_H

#include "http.h"

#define GL_WAKEUP_BYTES (256 << 10)

/* Pending request number idx: the inline slot of the flow, or its gl_pending entry. */
static __always_inline struct gl_pending *gl_pending_at(struct gl_work *w, __u32 idx, int *in_map)
{
	struct gl_conn *c = &w->conn;
	if (c->inl_valid && c->inl_idx == idx) {
		*in_map = 0;
		return &c->inl;
	}
	*in_map = 1;
	__builtin_memcpy(&w->pkey.flow, &w->key, sizeof(w->pkey.flow));
	w->pkey.idx = idx;
	w->pkey._pad = 0;
	return bpf_map_lookup_elem(&gl_pending, &w->pkey);
}

__noinline int gl_emit(__u32 idx, __u32 flags, __u32 with_response)
{
	struct gl_work *w = gl_work();
	if (!w)
		return -1;
	struct gl_conn *c = &w->conn;
	int in_map;
	struct gl_pending *p = gl_pending_at(w, idx, &in_map);
	if (!p) {
		gl_count(pending_lost, 1);
		return -1;
	}
	flags |= p->flags;
	if (flags & GL_F_TIMEOUT)
		gl_count(timeouts, 1);
	/* a version-less "request" that nobody answered is no evidence of HTTP */
	if (!with_response && (flags & GL_F_NO_VERSION))
		goto forget;
	if (gl_sample_every > 1 && bpf_get_prandom_u32() % gl_sample_every) {
		gl_count(sampled_out, 1);
		goto forget;
	}
	struct gl_http_record *r = bpf_ringbuf_reserve(&gl_events, sizeof(*r), 0);
	if (!r) {
		gl_count(ringbuf_drops, 1);
		goto forget;
	}
	__u64 start = p->start_ns;
	__u64 req_bytes = p->req_bytes;
	if (idx + 1 == c->tail && c->cli.state != GL_S_START) {
		/* answered before its body ended (or 413 & co.): count what was sent */
		flags |= GL_F_REQ_BODY_OPEN;
		req_bytes = c->cli.msg_bytes;
	}
	r->type = GL_RECORD_HTTP;
	r->family = c->family;
	r->direction = c->direction;
	r->ifindex = c->ifindex;
	r->start_ns = start;
	r->req_bytes = req_bytes;
	if (with_response) {
		flags |= c->resp_flags;
		r->status = c->status;
		r->ttfb_ns = c->resp_first_ns > start ? c->resp_first_ns - start : 0;
		r->latency_ns = c->srv.last_ns > start ? c->srv.last_ns - start : 0;
		r->resp_bytes = c->srv.msg_bytes;
	} else {
		r->status = 0;
		r->ttfb_ns = 0;
		r->latency_ns = 0;
		r->resp_bytes = 0;
	}
	r->flags = flags;
	if (c->client_is_a) {
		__builtin_memcpy(r->client_addr, w->key.a, 16);
		__builtin_memcpy(r->server_addr, w->key.b, 16);
		r->client_port = bpf_htons(w->key.port_a);
		r->server_port = bpf_htons(w->key.port_b);
	} else {
		__builtin_memcpy(r->client_addr, w->key.b, 16);
		__builtin_memcpy(r->server_addr, w->key.a, 16);
		r->client_port = bpf_htons(w->key.port_b);
		r->server_port = bpf_htons(w->key.port_a);
	}
	r->_pad = 0;
	r->method_len = p->method_len;
	r->host_len = p->host_len;
	r->path_len = p->path_len;
	__builtin_memcpy(r->method, p->method, GL_METHOD_MAX);
	__builtin_memcpy(r->host, p->host, GL_HOST_MAX);
	__builtin_memcpy(r->path, p->path, GL_PATH_MAX);
	/* wake the reader once, when a batch has gathered (it also polls every 100 ms): a wakeup
	 * per record would cost a context switch per transaction, and waking on every record past
	 * the mark would cost an interrupt each while a slow reader catches up */
	__u64 avail = bpf_ringbuf_query(&gl_events, BPF_RB_AVAIL_DATA);
	bpf_ringbuf_submit(r, avail >= GL_WAKEUP_BYTES && avail < GL_WAKEUP_BYTES + 2 * sizeof(*r)
				      ? BPF_RB_FORCE_WAKEUP
				      : BPF_RB_NO_WAKEUP);
	gl_count(records, 1);
forget:
	if (in_map)
		bpf_map_delete_elem(&gl_pending, &w->pkey);
	return 0;
}

__noinline int gl_response_done(__u32 flags)
{
	struct gl_work *w = gl_work();
	if (!w)
		return -1;
	struct gl_conn *c = &w->conn;
	if (c->resp_active && c->resp_matched && c->head != c->tail) {
		gl_emit(c->head, flags, 1);
		c->head++;
	}
	c->resp_active = 0;
	c->resp_matched = 0;
	c->status = 0;
	c->resp_flags = 0;
	c->resp_first_ns = 0;
	c->srv.msg_bytes = 0;
	c->srv.remaining = 0;
	return 0;
}

__noinline int gl_flush(__u32 flags)
{
	struct gl_work *w = gl_work();
	if (!w)
		return -1;
	struct gl_conn *c = &w->conn;
	if (c->resp_active) {
		__u32 f = c->srv.state == GL_S_BODY_EOF ? GL_F_RESP_EOF : GL_F_RESP_TRUNCATED;
		gl_response_done(flags | f);
	}
	for (int i = 0; i < GL_PENDING_PER_FLOW; i++) {
		__u32 head = GL_READ(c->head);
		if (head == c->tail)
			break;
		gl_emit(head, flags | GL_F_NO_RESPONSE, 0);
		c->head = head + 1;
	}
	return 0;
}

#endif /* GL_EMIT_H */
