// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * gatelens.bpf.c — HTTP/1.x transactions from TCP segments, at TC.
 *
 * Programs:
 *   gl_tc_ingress / gl_tc_egress   attached to clsact; always return TC_ACT_OK
 *   gl_sweep                       run by user space with BPF_PROG_TEST_RUN: reports and
 *                                  forgets connections idle for gl_idle_timeout_ns
 *
 * Per segment: parse headers (lib/parse.h), find the connection (lib/flow.h; its gate spares
 * the lookup to most segments of untracked flows), follow the
 * sender's byte stream by TCP sequence number (retransmits skipped, gaps accounted), and
 * step through every message the segment holds (pipelining): a request pushes an entry to
 * the connection's FIFO, a complete response pops the oldest one and emits one record
 * (lib/emit.h). Besides HTTP, the bytes of TLS ClientHellos and ServerHellos on any port go to
 * user space (lib/tls.h): from segments of untracked flows, or of tracked ones outside an HTTP
 * message. User-space loader: collector/src/main/native/gatelens.c.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "gatelens.h"
#include "lib/parse.h"
#include "lib/flow.h"
#include "lib/work.h"
#include "lib/http.h"
#include "lib/emit.h"
#include "lib/tls.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct bpf_map;

#define GL_MAX_STEPS 32 /* messages (or resumptions) per segment */

static __always_inline struct gl_half *gl_half_of(struct gl_work *w, __u32 srv)
{
	return srv ? &w->conn.srv : &w->conn.cli;
}

/* The request whose body just ended: record its full size. */
__noinline int gl_request_done(void)
{
	struct gl_work *w = gl_work();
	if (!w)
		return -1;
	struct gl_conn *c = &w->conn;
	if (c->tail == c->head)
		return 0; /* already answered and reported */
	int in_map;
	struct gl_pending *p = gl_pending_at(w, c->tail - 1, &in_map);
	if (p)
		p->req_bytes = c->cli.msg_bytes;
	if (!in_map)
		w->touched_inl = 1;
	return 0;
}

/* A head is complete: choose the body framing, and close messages that have none.
 * update_size: the staged request entry holds fewer bytes than the head (split head). */
__noinline int gl_finish_head(__u32 srv, __u32 update_size)
{
	struct gl_work *w = gl_work();
	if (!w)
		return -1;
	struct gl_conn *c = &w->conn;
	struct gl_half *h = gl_half_of(w, srv);
	__u8 hf = h->hdr_flags;
	__u64 cl = h->hdr_cl;
	__u8 next = GL_S_START;

	h->hdr_flags = 0;
	h->hdr_cl = 0;
	h->remaining = 0;
	if (srv) {
		__u16 st = c->status;
		if (!c->resp_active) { /* interim 1xx: the final response follows */
			h->state = GL_S_START;
			return 0;
		}
		if (st == 101 || (c->resp_kind == GL_REQ_CONNECT && st >= 200 && st < 300)) {
			c->resp_flags |= GL_F_UPGRADE;
			next = GL_S_TUNNEL;
		} else if (c->resp_kind == GL_REQ_HEAD || st == 204 || st == 304) {
			next = GL_S_START;
		} else if (hf & GL_H_CHUNKED) {
			next = GL_S_BODY_CHUNKED;
		} else if (hf & GL_H_HAS_CL) {
			next = cl ? GL_S_BODY_LEN : GL_S_START;
		} else {
			next = GL_S_BODY_EOF;
		}
	} else if (hf & GL_H_CHUNKED) {
		next = GL_S_BODY_CHUNKED;
	} else if ((hf & GL_H_HAS_CL) && cl) {
		next = GL_S_BODY_LEN;
	}
	h->state = next;
	if (next == GL_S_BODY_LEN)
		h->remaining = cl;
	if (next == GL_S_BODY_CHUNKED)
		h->chunk_state = GL_CH_SIZE0;
	if (next == GL_S_START || next == GL_S_TUNNEL) {
		if (srv)
			gl_response_done(0);
		else if (update_size)
			gl_request_done();
	}
	return 0;
}

/*
 * After a header scan of the window: how many bytes the head used, and whether the
 * segment ended inside a line. `done` is gl_scan_headers' result.
 */
static __always_inline __u32 gl_head_consumed(struct gl_work *w, struct gl_half *h, int done,
					      int line_done)
{
	struct gl_msg *m = &w->msg;
	__u32 n = w->win_len;
	__u32 at_seg_end = w->win_off + (n - w->carry) >= w->pkt.payload_len;

	h->hdr_flags = (h->hdr_flags & ~(GL_H_CHUNKED | GL_H_HAS_CL)) | m->hdr_flags;
	if (m->hdr_flags & GL_H_HAS_CL)
		h->hdr_cl = m->content_length;
	if (done)
		return m->hdr_end;
	h->hdr_flags &= ~(GL_H_PARTIAL | GL_H_PARTIAL_CR);
	if (line_done && m->scan_pos > 0 && (m->scan_pos >= n || !at_seg_end))
		return m->scan_pos; /* ends at a line start; the next window starts there */
	/* inside a line that goes on past this window */
	h->hdr_flags |= GL_H_PARTIAL;
	if (line_done && m->scan_pos + 1 == n && gl_byte(w, m->scan_pos) == '\r')
		h->hdr_flags |= GL_H_PARTIAL_CR;
	return n;
}

__noinline int gl_desync(__u32 srv)
{
	struct gl_work *w = gl_work();
	if (!w)
		return -1;
	struct gl_half *h = gl_half_of(w, srv);
	if (h->state != GL_S_RESYNC)
		gl_count(desyncs, 1);
	h->state = GL_S_RESYNC;
	h->hdr_flags = 0;
	w->off = w->pkt.payload_len;
	return -1;
}

/* Client bytes at a message boundary: a request line and its headers. */
__noinline int gl_request_head(struct __sk_buff *skb)
{
	struct gl_work *w = gl_work();
	if (!w)
		return -1;
	struct gl_conn *c = &w->conn;
	struct gl_half *h = &c->cli;
	struct gl_msg *m = &w->msg;

	if (!gl_load_head_window(skb, 0))
		return -1;
	__u32 at_end = w->win_off + (w->win_len - w->carry) >= w->pkt.payload_len;
	int pr = gl_parse_request_line();
	if (pr == -2 && at_end && gl_save_carry(0) == 0)
		return -1;
	if (pr < 0)
		return gl_desync(0);

	int done = 0;
	if (m->line_done)
		done = gl_scan_headers(m->line_end + 1, 1);
	if (!done && at_end && gl_save_carry(0) == 0)
		return -1; /* cut by the end of the segment: parse it whole with the next one */
	h->state = GL_S_START;
	/* a response without length ends where the next request begins */
	if (c->srv.state == GL_S_BODY_EOF) {
		gl_response_done(GL_F_RESP_EOF);
		c->srv.state = GL_S_START;
		w->touched_srv = 1;
	}
	h->hdr_flags = 0;
	h->hdr_cl = 0;
	__u32 used = gl_head_consumed(w, h, done, m->line_done);

	/* stage the FIFO entry: inline in the flow when nothing else is pending */
	int inl = c->tail == c->head;
	struct gl_pending *r = inl ? &c->inl : &w->req;
	if (c->tail - c->head >= GL_PENDING_PER_FLOW) {
		gl_count(pending_overflow, 1);
	} else {
		__u16 flags = 0;
		r->start_ns = w->head_ns;
		r->req_bytes = used;
		if (c->tail != c->head)
			flags |= GL_F_PIPELINED;
		if (!m->has_version)
			flags |= GL_F_NO_VERSION;

		__u32 ml = m->method_len;
		if (ml < 1 || ml > GL_METHOD_MAX)
			return gl_desync(0);
		gl_copy_out(w, (__u8 *)r->method, 0, GL_METHOD_MAX / 8);
		r->method_len = ml;
		r->kind = GL_REQ_PLAIN;
		if (ml == 4 && r->method[0] == 'H' && r->method[1] == 'E' && r->method[2] == 'A' &&
		    r->method[3] == 'D')
			r->kind = GL_REQ_HEAD;
		if (ml == 7 && r->method[0] == 'C' && r->method[1] == 'O' && r->method[2] == 'N' &&
		    r->method[3] == 'N' && r->method[6] == 'T')
			r->kind = GL_REQ_CONNECT;

		__u32 pl = m->path_len;
		__u32 maxp = gl_max_path_len;
		if (maxp > GL_PATH_MAX)
			maxp = GL_PATH_MAX;
		if (pl > maxp || (!m->line_done && m->path_off + pl >= w->win_len)) {
			flags |= GL_F_PATH_TRUNCATED;
			if (pl > maxp)
				pl = maxp;
		}
		gl_copy_out(w, (__u8 *)r->path, m->path_off, GL_PATH_MAX / 8);
		r->path_len = pl;

		__u32 hl = m->host_len;
		if (hl > GL_HOST_MAX) {
			flags |= GL_F_HOST_TRUNCATED;
			hl = GL_HOST_MAX;
		}
		gl_copy_out(w, (__u8 *)r->host, m->host_off, GL_HOST_MAX / 8);
		r->host_len = hl;
		r->flags = flags;

		if (inl) {
			c->inl_idx = c->tail;
			c->inl_valid = 1;
			w->touched_inl = 1;
			c->tail++;
		} else {
			__builtin_memcpy(&w->pkey.flow, &w->key, sizeof(w->pkey.flow));
			w->pkey.idx = c->tail;
			w->pkey._pad = 0;
			if (bpf_map_update_elem(&gl_pending, &w->pkey, r, BPF_ANY) == 0)
				c->tail++;
		}
		gl_count(requests, 1);
	}

	h->msg_bytes = used;
	h->last_ns = w->now;
	w->off += used > w->carry ? used - w->carry : 0;
	if (done)
		gl_finish_head(0, 0);
	else
		h->state = GL_S_HEADERS;
	return 0;
}

/* Server bytes at a message boundary: a status line and its headers. */
__noinline int gl_response_head(struct __sk_buff *skb)
{
	struct gl_work *w = gl_work();
	if (!w)
		return -1;
	struct gl_conn *c = &w->conn;
	struct gl_half *h = &c->srv;
	struct gl_msg *m = &w->msg;

	if (!gl_load_head_window(skb, 1))
		return -1;
	__u32 at_end = w->win_off + (w->win_len - w->carry) >= w->pkt.payload_len;
	int pr = gl_parse_status_line();
	if (pr == -2 && at_end && gl_save_carry(1) == 0)
		return -1;
	if (pr < 0)
		return gl_desync(1);
	int done = 0;
	if (m->line_done)
		done = gl_scan_headers(m->line_end + 1, 0);
	if (!done && at_end && gl_save_carry(1) == 0)
		return -1; /* cut by the end of the segment: parse it whole with the next one */
	h->state = GL_S_START;
	__u16 st = m->status;
	if (!c->resp_first_ns)
		c->resp_first_ns = w->head_ns;
	if (st >= 200 || st == 101) {
		c->status = st;
		c->resp_active = 1;
		c->resp_kind = GL_REQ_PLAIN;
		c->resp_matched = c->head != c->tail;
		gl_count(responses, 1);
		if (c->resp_matched) {
			int in_map;
			struct gl_pending *p = gl_pending_at(w, c->head, &in_map);
			if (p)
				c->resp_kind = p->kind;
		} else {
			gl_count(responses_unmatched, 1);
		}
	}

	h->hdr_flags = 0;
	h->hdr_cl = 0;
	__u32 used = gl_head_consumed(w, h, done, m->line_done);
	h->msg_bytes += used;
	h->last_ns = w->now;
	w->off += used > w->carry ? used - w->carry : 0;
	if (done)
		gl_finish_head(1, 0);
	else
		h->state = GL_S_HEADERS;
	return 0;
}

/* A header block that went on past the previous segment or window. */
__noinline int gl_head_continue(struct __sk_buff *skb, __u32 srv)
{
	struct gl_work *w = gl_work();
	if (!w)
		return -1;
	struct gl_half *h = gl_half_of(w, srv);
	struct gl_msg *m = &w->msg;
	__u32 start = 0;

	if (!gl_load_window(skb, w->off))
		return -1;
	gl_msg_reset(m);
	m->hdr_flags = h->hdr_flags & (GL_H_CHUNKED | GL_H_HAS_CL);
	m->content_length = h->hdr_cl;
	int done = 0;
	if (h->hdr_flags & GL_H_PARTIAL) {
		int le = gl_find(0, GL_FIND_LF);
		if (le == 0 && (h->hdr_flags & GL_H_PARTIAL_CR)) {
			done = 1;
			m->hdr_end = 1;
		} else if (le < 0) {
			h->msg_bytes += w->win_len;
			h->last_ns = w->now;
			h->hdr_flags &= ~GL_H_PARTIAL_CR;
			w->off += w->win_len;
			return 0;
		}
		start = le + 1;
	}
	if (!done)
		done = gl_scan_headers(start, 0);
	__u32 used = gl_head_consumed(w, h, done, 1);
	h->msg_bytes += used;
	h->last_ns = w->now;
	w->off += used;
	if (done)
		gl_finish_head(srv, 1);
	return 0;
}

/* One message (or the rest of one) from w->off. Returns <0 to stop with this segment. */
__noinline int gl_step(struct __sk_buff *skb, __u32 srv)
{
	struct gl_work *w = gl_work();
	if (!w)
		return -1;
	struct gl_half *h = gl_half_of(w, srv);
	__u32 off = w->off;
	__u32 plen = w->pkt.payload_len;
	if (off >= plen)
		return -1;
	__u32 left = plen - off;

	switch (h->state) {
	case GL_S_RESYNC:
		/* only a segment that starts with a message start brings framing back */
		if (off != 0) {
			w->off = plen;
			return -1;
		}
		if (srv)
			return gl_response_head(skb);
		return gl_request_head(skb);
	case GL_S_START:
		if (srv)
			return gl_response_head(skb);
		return gl_request_head(skb);
	case GL_S_HEADERS:
		return gl_head_continue(skb, srv);
	case GL_S_BODY_LEN: {
		__u64 n = h->remaining < left ? h->remaining : left;
		w->off = off + n;
		h->msg_bytes += n;
		h->remaining -= n;
		h->last_ns = w->now;
		if (!h->remaining) {
			h->state = GL_S_START;
			if (srv)
				gl_response_done(0);
			else
				gl_request_done();
		}
		return 0;
	}
	case GL_S_BODY_CHUNKED: {
		int r = gl_chunked(skb, srv);
		h->last_ns = w->now;
		if (r == 1) {
			h->state = GL_S_START;
			if (srv)
				gl_response_done(0);
			else
				gl_request_done();
		} else if (r < 0) {
			if (srv)
				gl_response_done(GL_F_RESP_TRUNCATED);
			return gl_desync(srv);
		}
		return 0;
	}
	case GL_S_BODY_EOF:
		h->msg_bytes += left;
		h->last_ns = w->now;
		w->off = plen;
		return -1;
	default: /* GL_S_TUNNEL */
		w->off = plen;
		return -1;
	}
}

/* Bytes [next_seq, seq) of one side were never seen (capture loss, or a missed segment). */
__noinline int gl_gap(struct __sk_buff *skb, __u32 srv, __u32 lost)
{
	struct gl_work *w = gl_work();
	if (!w)
		return -1;
	struct gl_conn *c = &w->conn;
	struct gl_half *h = gl_half_of(w, srv);
	__u8 st = h->state;

	gl_count(gaps, 1);
	if (st == GL_S_BODY_LEN && h->remaining > lost) { /* the hole is inside a body */
		h->remaining -= lost;
		h->msg_bytes += lost;
		if (srv)
			c->resp_flags |= GL_F_GAP;
		return 0;
	}
	if (st == GL_S_TUNNEL)
		return 0;
	if (srv && st == GL_S_BODY_EOF) {
		h->msg_bytes += lost;
		c->resp_flags |= GL_F_GAP;
		return 0;
	}
	int starts = 0;
	if (gl_load_window(skb, 0))
		starts = srv ? gl_parse_status_line() == 0 : gl_parse_request_line() == 0;
	if (srv) {
		if (c->resp_active) {
			gl_response_done(GL_F_GAP | GL_F_RESP_TRUNCATED);
		} else if (c->head != c->tail && (!starts || c->tail - c->head >= 2)) {
			/* the lost bytes held the start of the oldest request's response */
			gl_emit(c->head, GL_F_GAP | GL_F_NO_RESPONSE, 0);
			c->head++;
		}
	}
	h->state = starts ? GL_S_START : GL_S_RESYNC;
	h->hdr_flags = 0;
	h->remaining = 0;
	return 0;
}

/* Everything for one segment of a known connection. Returns 1 when the flow is over. */
__noinline int gl_process_segment(struct __sk_buff *skb)
{
	struct gl_work *w = gl_work();
	if (!w)
		return 0;
	struct gl_conn *c = &w->conn;
	__u32 srv = !w->from_client;
	struct gl_half *h = gl_half_of(w, srv);
	__u32 plen = w->pkt.payload_len;
	__u32 seq = w->pkt.seq;

	if (plen) {
		if (!h->seq_known) {
			h->next_seq = seq;
			h->seq_known = 1;
		}
		__s32 d = (__s32)(seq - h->next_seq);
		if (d < 0) {
			__s32 end = (__s32)(seq + plen - h->next_seq);
			gl_count(retransmits, 1);
			if (end <= 0) {
				w->off = plen;
			} else {
				w->off = (__u32)(-d);
				h->next_seq = seq + plen;
			}
		} else {
			if (d > 0)
				gl_gap(skb, srv, (__u32)d);
			h->next_seq = seq + plen;
		}
		for (int i = 0; i < GL_MAX_STEPS; i++) {
			if (GL_READ(w->off) >= plen)
				break;
			if (gl_step(skb, srv) < 0)
				break;
		}
	}

	__u8 tf = w->pkt.tcp_flags;
	if (tf & GL_TCP_RST) {
		gl_flush(GL_F_RESET);
		return 1;
	}
	if (tf & GL_TCP_FIN) {
		c->fin |= srv ? 2 : 1;
		if (srv) /* no more responses: close the open one, report the unanswered */
			gl_flush(0);
		if ((c->fin & 3) == 3)
			return 1;
	}
	return 0;
}

/* First payload of an unknown connection: track it if it starts a request. */
__noinline int gl_new_flow(struct __sk_buff *skb, __u32 sender_is_a, __u32 hook_dir)
{
	struct gl_work *w = gl_work();
	if (!w)
		return 0;
	struct gl_pkt *p = &w->pkt;
	__u64 head = 0;
	__u32 n = p->payload_len < 8 ? p->payload_len : 8;

	asm volatile("" : "+r"(n));
	if (n < 1 || n > 8)
		return 0;
	if (bpf_skb_load_bytes(skb, p->payload_off, &head, n))
		return 0;
	if (n >= 5 && (head & 0xffffffffffULL) == (GL_B8("HTTP/\0\0\0") & 0xffffffffffULL)) {
		gl_count(responses_unmatched, 1);
		return 0;
	}
	if (!gl_tchar[head & 0xff])
		return 0;

	struct gl_conn *c = &w->conn;
	__builtin_memset(c, 0, sizeof(*c));
	c->client_is_a = sender_is_a;
	c->direction = gl_offline ? GL_DIR_UNKNOWN : hook_dir;
	c->family = p->family;
	c->ifindex = gl_offline ? 0 : skb->ifindex;
	c->last_ns = w->now;
	c->cli.next_seq = p->seq;
	c->cli.seq_known = 1;
	if (p->tcp_flags & GL_TCP_ACK) { /* the server's next byte is the one it acked */
		c->srv.next_seq = p->ack;
		c->srv.seq_known = 1;
	}
	if (bpf_map_update_elem(&gl_flows, &w->key, c, BPF_NOEXIST))
		return 0;
	__sync_fetch_and_add(&gl_flow_gate[gl_flow_slot(&w->key)], 1); /* after the insert: flow.h */
	gl_count(flows_created, 1);
	return 1;
}

static __always_inline int gl_handle(struct __sk_buff *skb, __u32 hook_dir)
{
	gl_count(packets, 1);
	struct gl_work *w = gl_work();
	if (!w)
		return TC_ACT_OK;
	struct gl_pkt *p = &w->pkt;
	if (gl_parse_packet(skb, p))
		return TC_ACT_OK;
	if (!p->payload_len && !(p->tcp_flags & (GL_TCP_FIN | GL_TCP_RST)))
		return TC_ACT_OK;
	if (!gl_watch_all_ports) {
		__u16 sp = p->sport, dp = p->dport;
		if (!bpf_map_lookup_elem(&gl_ports, &sp) && !bpf_map_lookup_elem(&gl_ports, &dp))
			return TC_ACT_OK;
	}
	/* the flow first: a segment inside an HTTP message is HTTP's (a body may start with 0x16),
	 * and the gate spares the lookup to the many segments of flows that are not tracked */
	__u32 sender_is_a = gl_flow_key_of(p, &w->key);
	struct gl_conn *c = 0;
	if (GL_READ(gl_flow_gate[gl_flow_slot(&w->key)]))
		c = bpf_map_lookup_elem(&gl_flows, &w->key);
	if (!c) {
		if (!p->payload_len)
			return TC_ACT_OK;
		/* TLS hellos, on any port (lib/tls.h); hello bytes start no HTTP flow */
		if (gl_tls_check(skb, p, hook_dir))
			return TC_ACT_OK;
		/* fast path for the many flows that are not HTTP: a message start begins with a
		 * token character ('H' of "HTTP/" is one); no clock read, no call */
		void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
		__u32 po = p->payload_off;
		__u8 *first = data + (po & 0x1ff); /* verifier: a small bound on the offset */
		if (po < 0x1ff && (void *)(first + 1) <= end && !gl_tchar[*first])
			return TC_ACT_OK;
		w->now = gl_now();
		if (!gl_new_flow(skb, sender_is_a, hook_dir))
			return TC_ACT_OK;
		c = bpf_map_lookup_elem(&gl_flows, &w->key);
		if (!c)
			return TC_ACT_OK;
	} else {
		/* a hello starts outside an HTTP message: at a message boundary, where framing was
		 * lost (a flow tracked from a segment that only looked like a request), in a CONNECT
		 * tunnel; inside a message, a 0x16 is body */
		__u8 st = sender_is_a == c->client_is_a ? c->cli.state : c->srv.state;
		if (p->payload_len && (st == GL_S_START || st == GL_S_RESYNC || st == GL_S_TUNNEL))
			gl_tls_check(skb, p, hook_dir);
		w->now = gl_now();
		__builtin_memcpy(&w->conn, c, sizeof(*c));
	}
	w->from_client = sender_is_a == w->conn.client_is_a;
	w->off = 0;
	w->win_off = 0;
	w->win_len = 0;
	w->touched_srv = 0;
	w->touched_inl = 0;

	int over = gl_process_segment(skb);

	/* write back what this side owns; the other hook may be updating the rest */
	struct gl_conn *wc = &w->conn;
	if (w->from_client || w->touched_srv || over) {
		__builtin_memcpy(&c->cli, &wc->cli, sizeof(wc->cli));
		c->tail = wc->tail;
	}
	if (w->touched_inl) {
		__builtin_memcpy(&c->inl, &wc->inl, sizeof(wc->inl));
		c->inl_idx = wc->inl_idx;
		c->inl_valid = wc->inl_valid;
	}
	if (!w->from_client || w->touched_srv || over ||
	    (p->tcp_flags & (GL_TCP_RST | GL_TCP_FIN))) {
		__builtin_memcpy(&c->srv, &wc->srv, sizeof(wc->srv));
		c->head = wc->head;
		c->resp_first_ns = wc->resp_first_ns;
		c->status = wc->status;
		c->resp_flags = wc->resp_flags;
		c->resp_active = wc->resp_active;
		c->resp_matched = wc->resp_matched;
		c->resp_kind = wc->resp_kind;
	}
	c->fin = wc->fin;
	c->last_ns = w->now;
	if (over) {
		bpf_map_delete_elem(&gl_flows, &w->key);
		gl_count(flows_closed, 1);
	}
	return TC_ACT_OK;
}

SEC("tc")
int gl_tc_ingress(struct __sk_buff *skb)
{
	return gl_handle(skb, GL_DIR_SERVER);
}

SEC("tc")
int gl_tc_egress(struct __sk_buff *skb)
{
	return gl_handle(skb, GL_DIR_CLIENT);
}

struct gl_sweep_ctx {
	__u64 now;
	__u64 live;
};

/* the sweep's recount of gl_flow_gate (flow.h) */
struct gl_sweep_work {
	__u32 before[GL_FLOW_GATE_SLOTS];
	__u32 count[GL_FLOW_GATE_SLOTS];
};

GL_PERCPU_SCRATCH(gl_sweep_work, struct gl_sweep_work)

static long gl_sweep_one(struct bpf_map *map, struct gl_flow_key *key, struct gl_conn *val,
			 struct gl_sweep_ctx *ctx)
{
	struct gl_work *w = gl_work();
	if (!w)
		return 1;
	if (ctx->now < val->last_ns || ctx->now - val->last_ns <= gl_idle_timeout_ns) {
		struct gl_sweep_work *sw = gl_sweep_work();
		if (sw)
			sw->count[gl_flow_slot(key) & (GL_FLOW_GATE_SLOTS - 1)]++;
		ctx->live++;
		return 0;
	}
	__builtin_memcpy(&w->key, key, sizeof(*key));
	__builtin_memcpy(&w->conn, val, sizeof(*val));
	gl_flush(GL_F_TIMEOUT);
	bpf_map_delete_elem(map, key);
	gl_count(flows_closed, 1);
	return 0;
}

/* Run by user space (BPF_PROG_TEST_RUN) about once a second, and at the end of a capture
 * with the clock set past every flow. */
SEC("tc")
int gl_sweep(struct __sk_buff *skb)
{
	struct gl_sweep_ctx ctx = { .now = gl_now(), .live = 0 };
	struct gl_sweep_work *sw = gl_sweep_work();
	if (!sw)
		return TC_ACT_OK;
	for (int i = 0; i < GL_FLOW_GATE_SLOTS; i++) {
		sw->before[i] = GL_READ(gl_flow_gate[i]);
		sw->count[i] = 0;
	}
	bpf_for_each_map_elem(&gl_flows, gl_sweep_one, &ctx, 0);
	gl_live_flows = ctx.live;
	/* a slot that changed meanwhile (a flow created) keeps its value until the next sweep */
	for (int i = 0; i < GL_FLOW_GATE_SLOTS; i++)
		__sync_val_compare_and_swap(&gl_flow_gate[i], sw->before[i], sw->count[i]);
	gl_tls_sweep(ctx.now);
	return TC_ACT_OK;
}
