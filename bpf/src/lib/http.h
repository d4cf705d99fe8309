/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * http.h — HTTP/1.x message heads and chunked framing, read from a payload window.
 *
 * API (global functions, each verified once):
 *   gl_load_window(skb, off)       copy up to GL_WIN payload bytes from `off` into w->buf
 *   gl_find(from, mode)            index of the next LF (or SP/LF) in the window, -1 if none
 *   gl_parse_request_line()        method token, target, version of the line at buf[0]
 *   gl_parse_status_line()         "HTTP/d.d ddd" at buf[0]
 *   gl_scan_headers(from, host)    header lines from `from`: Content-Length,
 *                                  Transfer-Encoding: chunked, Host; end of the head
 *   gl_chunked(skb, srv)           follow chunked framing from w->off to the terminator
 *
 * Methods are any RFC 9110 token (not a fixed list). A line "TOKEN\r\n" or
 * "TOKEN SP target\r\n" without version is still a request (as tshark reads it) but is
 * flagged GL_F_NO_VERSION and only reported when a real status line answers it.
 * Scans are 8 bytes at a time (SWAR): headers are the hot path of a request segment.
 */
#ifndef GL_HTTP_H
#define GL_HTTP_H

#include "work.h"

#define GL_WIN_MASK (GL_WIN - 1)
#define GL_FIND_LF 0
#define GL_FIND_SP_LF 1
#define GL_CHUNK_STEPS 64 /* bytes of chunk framing per call; gl_step calls again */

/* chunked framing (gl_half.chunk_state) */
#define GL_CH_SIZE0 0       /* at a chunk-size line, no digit yet */
#define GL_CH_SIZE 1        /* reading hex digits */
#define GL_CH_EXT 2         /* extensions / CR: skip to LF */
#define GL_CH_DATA 3        /* `remaining` bytes of chunk data */
#define GL_CH_DATA_CR 4
#define GL_CH_DATA_LF 5
#define GL_CH_TRAILER 6     /* after the last chunk, at a trailer line start */
#define GL_CH_TRAILER_LINE 7
#define GL_CH_TRAILER_LF 8

#define GL_ONES8 0x0101010101010101ULL
#define GL_HIGH8 0x8080808080808080ULL
#define GL_FOLD8 0x2020202020202020ULL /* ASCII letters to lower case; '-', ':' unchanged */
#define GL_B8(s) ((__u64)(s)[0] | (__u64)(s)[1] << 8 | (__u64)(s)[2] << 16 | (__u64)(s)[3] << 24 | \
		  (__u64)(s)[4] << 32 | (__u64)(s)[5] << 40 | (__u64)(s)[6] << 48 | (__u64)(s)[7] << 56)

#define GL_READ(x) (*(volatile typeof(x) *)&(x))

/* RFC 9110 tchar */
static const __u8 gl_tchar[256] = {
	['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['&'] = 1, ['\''] = 1, ['*'] = 1,
	['+'] = 1, ['-'] = 1, ['.'] = 1, ['^'] = 1, ['_'] = 1, ['`'] = 1, ['|'] = 1,
	['~'] = 1, ['0' ... '9'] = 1, ['A' ... 'Z'] = 1, ['a' ... 'z'] = 1,
};

static __always_inline __u64 gl_word(struct gl_work *w, __u32 i)
{
	return *(__u64 *)&w->buf[i & GL_WIN_MASK];
}

static __always_inline __u8 gl_byte(struct gl_work *w, __u32 i)
{
	return w->buf[i & GL_WIN_MASK];
}

__noinline int gl_load_window(struct __sk_buff *skb, __u32 off)
{
	struct gl_work *w = gl_work();
	if (!w)
		return 0;
	__u32 plen = w->pkt.payload_len;
	w->win_off = off;
	w->win_len = 0;
	w->carry = 0;
	w->head_ns = w->now;
	if (off >= plen)
		return 0;
	__u32 n = plen - off;
	if (n > GL_WIN)
		n = GL_WIN;
	asm volatile("" : "+r"(n)); /* verifier: keep the bounds checks below on this register */
	if (n < 1 || n > GL_WIN)
		return 0;
	if (bpf_skb_load_bytes(skb, w->pkt.payload_off + off, w->buf, n))
		return 0;
	w->win_len = n;
	return n;
}

static __always_inline void gl_carry_key(struct gl_work *w, __u32 srv)
{
	__builtin_memcpy(&w->pkey.flow, &w->key, sizeof(w->pkey.flow));
	w->pkey.idx = srv;
	w->pkey._pad = 0;
}

/*
 * The window for a message head at w->off: the carried start of the head (if the previous
 * segment ended inside it) followed by this packet's bytes.
 */
__noinline int gl_load_head_window(struct __sk_buff *skb, __u32 srv)
{
	struct gl_work *w = gl_work();
	if (!w)
		return 0;
	struct gl_half *h = srv ? &w->conn.srv : &w->conn.cli;
	if (!(h->hdr_flags & GL_H_CARRY))
		return gl_load_window(skb, w->off);
	h->hdr_flags &= ~GL_H_CARRY;
	gl_carry_key(w, srv);
	struct gl_carry *cv = bpf_map_lookup_elem(&gl_carry, &w->pkey);
	if (!cv)
		return gl_load_window(skb, w->off);
	__u32 k = cv->len;
	w->head_ns = cv->ns;
	if (k > GL_CARRY_MAX)
		k = 0;
	for (int i = 0; i < GL_CARRY_MAX / 8; i++) {
		if (i * 8 >= k)
			break;
		*(__u64 *)&w->buf[i * 8] = *(__u64 *)&cv->bytes[i * 8];
	}
	bpf_map_delete_elem(&gl_carry, &w->pkey);

	__u32 off = w->off;
	__u32 plen = w->pkt.payload_len;
	w->win_off = off;
	w->carry = k;
	w->win_len = k;
	if (off >= plen)
		return k;
	__u32 n = plen - off;
	if (n > GL_WIN - k)
		n = GL_WIN - k;
	asm volatile("" : "+r"(n));
	if (n < 1 || n > GL_WIN || k > GL_CARRY_MAX)
		return k;
	if (bpf_skb_load_bytes(skb, w->pkt.payload_off + off, &w->buf[k], n))
		return k;
	w->win_len = k + n;
	return k + n;
}

/* Keeps the whole window (a head cut by the end of the segment) for the next segment. */
__noinline int gl_save_carry(__u32 srv)
{
	struct gl_work *w = gl_work();
	if (!w)
		return -1;
	struct gl_half *h = srv ? &w->conn.srv : &w->conn.cli;
	__u32 k = w->win_len;
	if (k > GL_CARRY_MAX)
		return -1;
	struct gl_carry *cv = &w->carry_stage;
	cv->ns = w->head_ns;
	cv->len = k;
	cv->_pad = 0;
	for (int i = 0; i < GL_CARRY_MAX / 8; i++) {
		if (i * 8 >= k)
			break;
		*(__u64 *)&cv->bytes[i * 8] = *(__u64 *)&w->buf[i * 8];
	}
	gl_carry_key(w, srv);
	if (bpf_map_update_elem(&gl_carry, &w->pkey, cv, BPF_ANY))
		return -1;
	h->hdr_flags |= GL_H_CARRY;
	w->off = w->pkt.payload_len;
	return 0;
}

/* Copies up to max bytes of the window from `from` into dst (a map value), word by word. */
static __always_inline void gl_copy_out(struct gl_work *w, __u8 *dst, __u32 from, int words)
{
	for (int i = 0; i < words; i++)
		*(__u64 *)&dst[i * 8] = gl_word(w, from + i * 8);
}

/* Index of the lowest byte flagged (0x80) in a SWAR mask; BPF has no count-trailing-zeros. */
static __always_inline __u32 gl_low_byte(__u64 t)
{
	__u32 j = 0;
	if (!(t & 0xffffffffULL)) {
		j += 4;
		t >>= 32;
	}
	if (!(t & 0xffffULL)) {
		j += 2;
		t >>= 16;
	}
	if (!(t & 0xffULL))
		j += 1;
	return j;
}

__noinline int gl_find(__u32 from, __u32 mode)
{
	struct gl_work *w = gl_work();
	if (!w)
		return -1;
	__u32 n = w->win_len;
	__u32 pos = from;
	for (int k = 0; k < GL_WIN / 8 + 1; k++) {
		if (pos >= n)
			return -1;
		__u64 v = gl_word(w, pos);
		__u64 x = v ^ (0x0aULL * GL_ONES8);
		__u64 t = (x - GL_ONES8) & ~x & GL_HIGH8;
		if (mode == GL_FIND_SP_LF) {
			__u64 y = v ^ (0x20ULL * GL_ONES8);
			t |= (y - GL_ONES8) & ~y & GL_HIGH8;
		}
		if (t) {
			/* lowest flagged byte is exact (borrows only run upwards) */
			__u32 j = gl_low_byte(t);
			return pos + j < n ? (int)(pos + j) : -1;
		}
		pos += 8;
	}
	return -1;
}

static __always_inline void gl_msg_reset(struct gl_msg *m)
{
	m->content_length = 0;
	m->line_end = 0;
	m->hdr_end = 0;
	m->scan_pos = 0;
	m->path_off = 0;
	m->path_len = 0;
	m->host_off = 0;
	m->host_len = 0;
	m->status = 0;
	m->method_len = 0;
	m->has_version = 0;
	m->line_done = 0;
	m->hdr_flags = 0;
}

/* Returns 0 when buf[0] starts a request line (results in w->msg), -2 when the window ends
 * inside what may be a method, -1 otherwise. */
__noinline int gl_parse_request_line(void)
{
	struct gl_work *w = gl_work();
	if (!w)
		return -1;
	struct gl_msg *m = &w->msg;
	__u32 n = w->win_len;
	__u32 i;

	gl_msg_reset(m);
	for (i = 0; i < GL_METHOD_MAX + 1; i++) {
		if (i >= n)
			return i > 0 ? -2 : -1; /* a token cut short: maybe a method */
		if (!gl_tchar[gl_byte(w, i)])
			break;
	}
	if (i == 0 || i > GL_METHOD_MAX)
		return -1;
	__u8 c = gl_byte(w, i);
	m->method_len = i;
	if (c == ' ') {
		__u32 po = i + 1;
		m->path_off = po;
		int e = gl_find(po, GL_FIND_SP_LF);
		if (e < 0) { /* the target runs past the window */
			m->path_len = n > po ? n - po : 0;
			m->has_version = 1; /* not visible; a token, SP and a long target is HTTP enough */
			return 0;
		}
		__u32 pe = e;
		if (gl_byte(w, pe) == '\n') {
			if (pe > po && gl_byte(w, pe - 1) == '\r')
				pe--;
			m->path_len = pe - po;
			m->line_end = e;
			m->line_done = 1;
			return 0;
		}
		m->path_len = pe - po;
		if (pe + 6 <= n && gl_byte(w, pe + 1) == 'H' && gl_byte(w, pe + 2) == 'T' &&
		    gl_byte(w, pe + 3) == 'T' && gl_byte(w, pe + 4) == 'P' && gl_byte(w, pe + 5) == '/')
			m->has_version = 1;
		int le = gl_find(pe + 1, GL_FIND_LF);
		if (le >= 0) {
			m->line_end = le;
			m->line_done = 1;
		}
		return 0;
	}
	if (c == '\r' || c == '\n') { /* "OPTIONS\r\n": no target at all */
		int le = c == '\n' ? (int)i : gl_find(i, GL_FIND_LF);
		if (le >= 0) {
			m->line_end = le;
			m->line_done = 1;
		}
		return 0;
	}
	return -1;
}

/* Returns 0 when buf[0] starts "HTTP/d.d ddd" (status in w->msg), -2 when the window ends
 * inside a prefix of one, -1 otherwise. */
__noinline int gl_parse_status_line(void)
{
	struct gl_work *w = gl_work();
	if (!w)
		return -1;
	struct gl_msg *m = &w->msg;
	gl_msg_reset(m);
	if (w->win_len < 12) {
		/* cut short: is what we have the start of a status line? */
		for (int i = 0; i < 5; i++)
			if (i < w->win_len && gl_byte(w, i) != "HTTP/"[i])
				return -1;
		return -2;
	}
	__u64 v = gl_word(w, 0);
	if ((v & 0xffffffffffULL) != (GL_B8("HTTP/\0\0\0") & 0xffffffffffULL))
		return -1;
	__u8 d1 = gl_byte(w, 5), dot = gl_byte(w, 6), d2 = gl_byte(w, 7), sp = gl_byte(w, 8);
	__u8 s0 = gl_byte(w, 9), s1 = gl_byte(w, 10), s2 = gl_byte(w, 11);
	if (d1 < '0' || d1 > '9' || dot != '.' || d2 < '0' || d2 > '9' || sp != ' ')
		return -1;
	if (s0 < '1' || s0 > '9' || s1 < '0' || s1 > '9' || s2 < '0' || s2 > '9')
		return -1;
	m->status = (s0 - '0') * 100 + (s1 - '0') * 10 + (s2 - '0');
	m->has_version = 1;
	int le = gl_find(12, GL_FIND_LF);
	if (le >= 0) {
		m->line_end = le;
		m->line_done = 1;
	}
	return 0;
}

static __always_inline int gl_is_ows(__u8 c)
{
	return c == ' ' || c == '\t';
}

/* One complete header line [pos, pos+len) of the window (LF excluded). */
__noinline int gl_header_line(__u32 pos, __u32 len, __u32 want_host)
{
	struct gl_work *w = gl_work();
	if (!w)
		return 0;
	struct gl_msg *m = &w->msg;
	__u32 end = pos + len;

	if (len < 6 || pos >= GL_WIN || len > GL_WIN)
		return 0;
	if (gl_byte(w, end - 1) == '\r')
		end--;
	__u64 v = gl_word(w, pos) | GL_FOLD8;

	if (want_host && (v & 0xffffffffffULL) == (GL_B8("host:\0\0\0") & 0xffffffffffULL)) {
		if (m->host_len)
			return 0; /* first Host wins */
		__u32 s = pos + 5;
		for (int i = 0; i < 8; i++) {
			if (s < end && gl_is_ows(gl_byte(w, s)))
				s++;
		}
		for (int i = 0; i < 8; i++) {
			if (end > s && gl_is_ows(gl_byte(w, end - 1)))
				end--;
		}
		if (end > s) {
			m->host_off = s;
			m->host_len = end - s;
		}
		return 0;
	}
	if (len >= 16 && v == GL_B8("content-")) {
		__u64 v2 = gl_word(w, pos + 8) | GL_FOLD8;
		if ((v2 & 0x00ffffffffffffffULL) != (GL_B8("length:\0") & 0x00ffffffffffffffULL))
			return 0;
		__u64 val = 0;
		__u32 s = pos + 15;
		int got = 0;
		for (int i = 0; i < 24; i++) {
			if (s >= end)
				break;
			__u8 c = gl_byte(w, s);
			if (c >= '0' && c <= '9') {
				if (val < (1ULL << 56))
					val = val * 10 + (c - '0');
				got = 1;
			} else if (!gl_is_ows(c) || got) {
				break;
			}
			s++;
		}
		if (got) {
			m->content_length = val;
			m->hdr_flags |= GL_H_HAS_CL;
		}
		return 0;
	}
	if (len >= 25 && v == GL_B8("transfer")) {
		__u64 v2 = gl_word(w, pos + 8) | GL_FOLD8;
		if (v2 != GL_B8("-encodin") || (gl_byte(w, pos + 16) | 0x20) != 'g' ||
		    gl_byte(w, pos + 17) != ':')
			return 0;
		for (int i = 0; i < 8; i++) {
			if (end > pos + 18 && gl_is_ows(gl_byte(w, end - 1)))
				end--;
		}
		if (end < pos + 25)
			return 0;
		/* chunked must be the final coding */
		__u64 t = gl_word(w, end - 8) | GL_FOLD8;
		if ((t >> 8) == (GL_B8("\0chunked") >> 8))
			m->hdr_flags |= GL_H_CHUNKED;
	}
	return 0;
}

/*
 * Header lines from `from` to the end of the head or of the window, in one pass of 8-byte
 * words: only lines that may be Host, Content-Length or Transfer-Encoding are looked at
 * (gl_header_line). Returns 1 with w->msg.hdr_end set when the empty line was found, 0
 * otherwise with w->msg.scan_pos at the first line not read completely.
 */
/* the whole window: a scan that stops early must mean the window ended, nothing else */
#define GL_SCAN_WORDS (GL_WIN / 8 + 1)

/* The LFs flagged in t (SWAR mask of the word at pos): end each line there. Returns 1 at the
 * empty line (hdr_end set), -1 past the window, 0 to go on. */
__noinline int gl_word_lines(__u32 pos, __u64 t, __u32 want_host)
{
	struct gl_work *w = gl_work();
	if (!w)
		return -1;
	struct gl_msg *m = &w->msg;
	__u32 n = w->win_len;

	for (int b = 0; b < 8; b++) {
		if (!t)
			return 0;
		__u32 j = gl_low_byte(t);
		t &= t - 1;
		__u32 le = pos + j;
		if (le >= n)
			return -1;
		if (gl_byte(w, le) != '\n')
			continue; /* borrow artefact above a real LF */
		__u32 ls = GL_READ(m->scan_pos);
		__u32 len = le - ls;
		if (len == 0 || (len == 1 && gl_byte(w, ls) == '\r')) {
			m->hdr_end = le + 1;
			return 1;
		}
		__u8 c = gl_byte(w, ls) | 0x20;
		if (c == 'c' || c == 't' || (c == 'h' && want_host))
			gl_header_line(ls, len, want_host);
		m->scan_pos = le + 1;
	}
	return 0;
}

__noinline int gl_scan_headers(__u32 from, __u32 want_host)
{
	struct gl_work *w = gl_work();
	if (!w)
		return 0;
	struct gl_msg *m = &w->msg;
	__u32 n = w->win_len;
	__u32 pos = from;

	m->scan_pos = from;
	for (int k = 0; k < GL_SCAN_WORDS; k++) {
		if (pos >= n)
			return 0;
		__u64 x = gl_word(w, pos) ^ (0x0aULL * GL_ONES8);
		__u64 t = (x - GL_ONES8) & ~x & GL_HIGH8;
		if (t) {
			int r = gl_word_lines(pos, t, want_host);
			if (r)
				return r > 0;
		}
		pos += 8;
	}
	return 0;
}

/*
 * Follow chunked framing of the current message of one side from w->off.
 * Returns 1 when the message ended (w->off just past it), 0 when the segment was used up
 * (or the iteration budget: the caller steps again), -1 when the bytes are not chunked
 * framing.
 */
__noinline int gl_chunked(struct __sk_buff *skb, __u32 srv)
{
	struct gl_work *w = gl_work();
	if (!w)
		return -1;
	struct gl_half *h = srv ? &w->conn.srv : &w->conn.cli;

	for (int k = 0; k < GL_CHUNK_STEPS; k++) {
		__u32 off = GL_READ(w->off);
		__u32 plen = w->pkt.payload_len;
		if (off >= plen)
			return 0;
		__u8 cs = GL_READ(h->chunk_state);
		if (cs == GL_CH_DATA) {
			__u64 n = plen - off;
			__u64 rem = h->remaining;
			if (n > rem)
				n = rem;
			w->off = off + n;
			h->msg_bytes += n;
			h->remaining = rem - n;
			if (rem == n)
				h->chunk_state = GL_CH_DATA_CR;
			continue;
		}
		if (off < w->win_off || off >= w->win_off + w->win_len) {
			if (!gl_load_window(skb, off))
				return -1;
			off = GL_READ(w->off);
		}
		__u8 c = gl_byte(w, off - w->win_off);
		w->off = off + 1;
		h->msg_bytes += 1;
		switch (cs) {
		case GL_CH_SIZE0:
		case GL_CH_SIZE: {
			__u8 d;
			if (c >= '0' && c <= '9')
				d = c - '0';
			else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
				d = (c | 0x20) - 'a' + 10;
			else if (cs == GL_CH_SIZE && (c == ';' || c == '\r' || gl_is_ows(c))) {
				h->chunk_state = GL_CH_EXT;
				break;
			} else if (cs == GL_CH_SIZE && c == '\n') {
				h->chunk_state = h->remaining ? GL_CH_DATA : GL_CH_TRAILER;
				break;
			} else
				return -1;
			if (h->remaining >= (1ULL << 56))
				return -1;
			h->remaining = h->remaining * 16 + d;
			h->chunk_state = GL_CH_SIZE;
			break;
		}
		case GL_CH_EXT:
			if (c == '\n')
				h->chunk_state = h->remaining ? GL_CH_DATA : GL_CH_TRAILER;
			break;
		case GL_CH_DATA_CR:
			if (c == '\r')
				h->chunk_state = GL_CH_DATA_LF;
			else if (c == '\n')
				h->chunk_state = GL_CH_SIZE0;
			else
				return -1;
			break;
		case GL_CH_DATA_LF:
			if (c != '\n')
				return -1;
			h->chunk_state = GL_CH_SIZE0;
			break;
		case GL_CH_TRAILER:
			if (c == '\n')
				return 1;
			h->chunk_state = c == '\r' ? GL_CH_TRAILER_LF : GL_CH_TRAILER_LINE;
			break;
		case GL_CH_TRAILER_LINE:
			if (c == '\n')
				h->chunk_state = GL_CH_TRAILER;
			break;
		case GL_CH_TRAILER_LF:
			if (c != '\n')
				return -1;
			return 1;
		default:
			return -1;
		}
	}
	return 0;
}

#endif /* GL_HTTP_H */
