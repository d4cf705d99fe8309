/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tls.h — the bytes of TLS ClientHellos and ServerHellos to user space, on any TCP port.
 *
 * API:
 *   gl_tls_check(skb, pkt, dir)  a TCP segment with payload of a flow HTTP does not track, or
 *                                outside an HTTP message: a byte compare (0x16?) and, if not,
 *                                one load of gl_tls_gate; returns 1 when the segment held bytes
 *                                of a hello (then it is no HTTP message start)
 *   gl_tls_segment(skb, dir, s)  s = 1: the payload starts with 0x16; s = 0: the gate says this
 *                                direction may be in a hello. Copies what belongs to a hello
 *                                into gl_tls_chunk records.
 *   gl_tls_sweep(now)            from gl_sweep: ends stalled hellos, recounts the gate
 *
 * The kernel does not parse hellos (their extensions are long, nested and attacker-shaped);
 * user space does, from the copied bytes (collector/.../handshake/). Here:
 *
 *  - A segment whose payload starts a handshake record (0x16, version 0x03 0x00..0x04) holding a
 *    ClientHello (1) or ServerHello (2) at offset 5 starts a "flight". Its length, from the
 *    record and handshake length fields, is how many bytes from the 0x16 make up the hello
 *    (records of the same size assumed when the hello spans records), capped at
 *    GL_TLS_HELLO_MAX. What follows the hello (application data, 0-RTT, the certificate) is never
 *    copied.
 *  - The bytes of the flight go out as gl_tls_chunk records of at most GL_TLS_CHUNK_MAX bytes,
 *    each with its TCP sequence number; user space orders them. A record is reserved at the
 *    smallest size class that holds its bytes (gl_tls_put): writing fresh ring memory is most of
 *    a chunk's cost.
 *  - The common case — a hello whole in its segment, in one chunk (any ServerHello, a
 *    ClientHello up to the MSS) — needs no state: it is copied at once, without the table below
 *    (a lookup there is a cache miss, ~100 ns here). What bounds it instead is gl_tls_heat: per
 *    slot of the direction's hash, the chunks copied so without an entry in the current epoch
 *    (~16.8 ms), at most GL_TLS_HEAT_MAX. Past that the slot is hot (for GL_TLS_HOT_EPOCHS) and
 *    its hellos take the table like the others (a flood on one connection heats its slot); one in
 *    GL_TLS_CHECK_EVERY of the others does too (per CPU), so that a slower flood meets its
 *    budget as well; a spent budget puts a penalty on the slot (table path for the idle
 *    timeout). A retransmitted whole hello is copied again; user space drops the copy (same
 *    flight start).
 *  - gl_tls_dirs keeps one entry per direction that needed one (a hello spanning segments, a hot
 *    slot, a check), found by a hash keyed with gl_tls_seed: a 2-way set-associative table (an
 *    entry lives in slot s or s ^ 1, the hash's upper bits are its tag). An entry holds the
 *    direction's chunk count (at most GL_TLS_CHUNKS_PER_DIR, counting the chunks its heat slot
 *    gave without an entry since the entry last looked, and turning the slot hot when what it
 *    may still give could pass the budget: a connection that sends hello after hello is cut off),
 *    its last flight's start (a retransmitted hello spanning segments is not copied twice) and,
 *    while a hello that did not fit its first segment is "active", where it starts, its length
 *    and what was copied. A new direction takes the way of its set that is not active, else the
 *    one idle longest; a direction idle for the idle timeout starts from zero. The budget is a
 *    bound, not an exact count. Not an LRU hash map: its update costs ~0.5 us per hello here
 *    (docs/benchmarks.md); an array lookup is inlined by the verifier.
 *  - gl_tls_gate counts active entries per slot of a hash of the ports, so that every segment
 *    that does not start with 0x16 pays one load and one compare, not a table lookup.
 *
 * Sampling (gl_sample_every) applies to HTTP transactions only; the port filter applies here too.
 */
#ifndef GL_TLS_H
#define GL_TLS_H

#include "emit.h" /* GL_WAKEUP_BYTES, GL_READ */

#define GL_TLS_CONTENT_HANDSHAKE 0x16
#define GL_TLS_HS_CLIENT_HELLO 1
#define GL_TLS_HS_SERVER_HELLO 2
#define GL_TLS_RECORD_MAX 16384 /* TLSPlaintext.length <= 2^14 */
#define GL_TLS_QUERY_BYTES (32 << 10)
#define GL_TLS_CHUNKS_PER_SEG (GL_TLS_HELLO_MAX / GL_TLS_CHUNK_MAX)
#define GL_TLS_GATE_SLOTS 256 /* power of two */

_Static_assert(__builtin_offsetof(struct gl_tls_chunk, data) == GL_TLS_CHUNK_HDR, "GL_TLS_CHUNK_HDR");
#ifndef GL_TLS_DIR_SLOTS
#define GL_TLS_DIR_SLOTS 8192 /* power of two; 48 bytes each: 384 KiB */
#endif

/* configuration (the others are in work.h): TLS capture on or off; the table hash's key */
const volatile __u8 gl_tls_enabled = 1;
const volatile __u64 gl_tls_seed = 0x9e3779b97f4a7c15ULL;

/* active directions per slot; written with atomics, recounted by the sweep */
__u32 gl_tls_gate[GL_TLS_GATE_SLOTS] = {};

/* chunks copied without a table entry, per slot of the direction's hash: (epoch << 8) | count,
 * with a 24-bit epoch. With GL_TLS_HEAT_HOT or GL_TLS_HEAT_PENALTY set the slot gives none for
 * GL_TLS_HOT_EPOCHS or the penalty from that epoch on; the count stays what it gave in it. */
#define GL_TLS_HEAT_SLOTS 1024 /* power of two; 4 KiB: stays in the cache */
#define GL_TLS_HEAT_MAX 8      /* chunks per slot and epoch without an entry (< GL_TLS_CHUNKS_PER_DIR) */
#define GL_TLS_EPOCH_SHIFT 24  /* epoch = ns >> 24: ~16.8 ms; 24 bits of it wrap in 78 hours */
#define GL_TLS_EPOCH_MASK 0xffffff
#define GL_TLS_HOT_EPOCHS 64   /* a slot that got hot stays so this long (~1 s) */
#define GL_TLS_HEAT_HOT 0x80
#define GL_TLS_HEAT_PENALTY 0x40
#define GL_TLS_HEAT_COUNT 0x3f
#define GL_TLS_CHECK_EVERY 16  /* of the hellos that could go without an entry, per CPU, one does not */
__u32 gl_tls_heat[GL_TLS_HEAT_SLOTS] = {};

/* one direction of a connection, see the top */
struct gl_tls_dir {
	__u64 last_ns;    /* newest hello segment */
	__u32 tag;        /* the hash's upper bits: which direction owns the entry; 0 = free */
	__u32 start_seq;  /* first byte of the last flight (the 0x16) */
	__u32 len;        /* bytes of the flight to copy (from its length fields, capped) */
	__u32 have;       /* bytes [0, have) of the flight were copied */
	__u32 ooo_lo;     /* one more range [ooo_lo, ooo_hi) copied beyond a hole (reordering, loss) */
	__u32 ooo_hi;
	__u32 ifindex;
	__u16 chunks;     /* chunks written for this direction: <= GL_TLS_CHUNKS_PER_DIR */
	__u16 flags;      /* GL_TLS_F_CUT when the flight was capped */
	__u8 active;      /* more bytes of the flight are expected (counted in gl_tls_gate[gate]) */
	__u8 started;     /* start_seq is valid */
	__u8 hs_type;
	__u8 direction;
	__u8 gate;        /* its gl_tls_gate slot */
	__u8 heat_n;      /* its heat slot's count when the entry last looked... */
	__u16 heat_epoch; /* ... and that epoch's low bits */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GL_TLS_DIR_SLOTS);
	__type(key, __u32);
	__type(value, struct gl_tls_dir);
} gl_tls_dirs SEC(".maps");

struct gl_tls_work {
	__u8 hdr[16];
	struct gl_tls_dir once;          /* the flight of a hello whole in its segment: no entry */
	__u64 unasked;                   /* chunk bytes since this CPU last asked the ring... */
	__u64 avail;                     /* ... how many unread bytes it holds, and the answer */
	__u32 fast;                      /* hellos that could go without a table entry, here */
	struct gl_tls_chunk rec;         /* the header of the chunks of this segment (data unused) */
	__u32 before[GL_TLS_GATE_SLOTS]; /* sweep: the gate before recounting */
	__u32 count[GL_TLS_GATE_SLOTS];  /* sweep: active entries found */
};

GL_PERCPU_SCRATCH(gl_tls_work, struct gl_tls_work)

static __always_inline __u32 gl_tls_slot(__u16 a, __u16 b)
{
	return (a ^ b) & (GL_TLS_GATE_SLOTS - 1); /* symmetric: both directions, one slot */
}

static __always_inline void gl_tls_gate_add(__u32 slot, int d)
{
	__u32 *g = &gl_tls_gate[slot & (GL_TLS_GATE_SLOTS - 1)];
	if (d > 0)
		__sync_fetch_and_add(g, 1);
	else
		__sync_fetch_and_sub(g, 1);
}

/* A keyed hash of the direction (sender first): set in the low bits, tag in the high ones. */
static __always_inline __u64 gl_tls_hash(const struct gl_pkt *p)
{
	const __u64 *s = (const __u64 *)p->saddr, *d = (const __u64 *)p->daddr;
	__u64 h = gl_tls_seed;
	h = (h ^ s[0]) * 0x9e3779b97f4a7c15ULL;
	h = (h ^ s[1] ^ (h >> 29)) * 0xbf58476d1ce4e5b9ULL;
	h = (h ^ d[0] ^ (h >> 29)) * 0x94d049bb133111ebULL;
	h = (h ^ d[1] ^ (h >> 29)) * 0x9e3779b97f4a7c15ULL;
	h = (h ^ ((__u64)p->sport << 16 | p->dport) ^ (h >> 31)) * 0xbf58476d1ce4e5b9ULL;
	return h ^ (h >> 32);
}

/*
 * One chunk: the header staged in t->rec and payload [po, po + m) of the segment, straight into
 * the ring. The reservation is the smallest size class that holds m bytes (a reservation needs
 * a constant size; a fixed GL_TLS_CHUNK_MAX would spread a 127-byte ServerHello over 2 KiB of
 * ring, and writing fresh ring memory is most of a chunk's cost), the record says its size.
 * Returns 0 when the ring is full (or the bytes cannot be read).
 */
#define GL_TLS_PUT_CLASS(cls)                                                                    \
	if (m <= (cls)) {                                                                        \
		struct gl_tls_chunk *q = bpf_ringbuf_reserve(&gl_events, GL_TLS_CHUNK_HDR + (cls), 0); \
		if (!q)                                                                          \
			return 0;                                                                \
		r->size = GL_TLS_CHUNK_HDR + (cls);                                              \
		__builtin_memcpy(q, r, GL_TLS_CHUNK_HDR);                                        \
		if (bpf_skb_load_bytes(skb, po, q->data, m)) {                                   \
			bpf_ringbuf_discard(q, BPF_RB_NO_WAKEUP);                                \
			return 0;                                                                \
		}                                                                                \
		bpf_ringbuf_submit(q, wake);                                                     \
		return 1;                                                                        \
	}

static __always_inline int gl_tls_put(struct __sk_buff *skb, struct gl_tls_work *t, __u32 po, __u32 m)
{
	struct gl_tls_chunk *r = &t->rec;
	/* as emit.h: wake the reader once, when the ring's unread bytes pass GL_WAKEUP_BYTES (it
	 * also polls every 100 ms; a wakeup is a self-interrupt, ~15 us in a VM). Asking the ring
	 * is a helper call: once per GL_TLS_QUERY_BYTES of chunks from this CPU, not per chunk. */
	__u64 wake = BPF_RB_NO_WAKEUP;
	t->unasked += GL_TLS_CHUNK_HDR + m;
	if (t->unasked >= GL_TLS_QUERY_BYTES) {
		__u64 avail = bpf_ringbuf_query(&gl_events, BPF_RB_AVAIL_DATA);
		if (avail >= GL_WAKEUP_BYTES && t->avail < GL_WAKEUP_BYTES)
			wake = BPF_RB_FORCE_WAKEUP;
		t->avail = avail;
		t->unasked = 0;
	}
	GL_TLS_PUT_CLASS(128)
	GL_TLS_PUT_CLASS(192)
	GL_TLS_PUT_CLASS(256)
	GL_TLS_PUT_CLASS(384)
	GL_TLS_PUT_CLASS(512)
	GL_TLS_PUT_CLASS(768)
	GL_TLS_PUT_CLASS(1024)
	GL_TLS_PUT_CLASS(1536)
	GL_TLS_PUT_CLASS(GL_TLS_CHUNK_MAX)
	return 0;
}

/*
 * Writes payload [off, off + n) of the segment, whose first byte is flight byte `at`, as
 * chunks of the direction's flight. Stops at the direction's budget.
 */
static __always_inline void gl_tls_emit(struct __sk_buff *skb, struct gl_work *w, struct gl_tls_work *t,
					struct gl_tls_dir *f, __u32 off, __u32 n, __u32 at, __u16 last_flags)
{
	struct gl_pkt *p = &w->pkt;
	struct gl_tls_chunk *r = &t->rec;

	/* the fields every chunk of this segment shares */
	r->type = GL_RECORD_TLS;
	r->family = p->family;
	r->direction = f->direction;
	r->ifindex = f->ifindex;
	r->ts_ns = w->now;
	r->flight_seq = f->start_seq;
	r->flight_len = f->len;
	r->payload_len = p->payload_len;
	r->hs_type = f->hs_type;
	r->_pad[0] = r->_pad[1] = r->_pad[2] = 0;
	if (f->hs_type == GL_TLS_HS_CLIENT_HELLO) { /* the sender is the client */
		__builtin_memcpy(r->client_addr, p->saddr, 16);
		__builtin_memcpy(r->server_addr, p->daddr, 16);
		r->client_port = bpf_htons(p->sport);
		r->server_port = bpf_htons(p->dport);
	} else {
		__builtin_memcpy(r->client_addr, p->daddr, 16);
		__builtin_memcpy(r->server_addr, p->saddr, 16);
		r->client_port = bpf_htons(p->dport);
		r->server_port = bpf_htons(p->sport);
	}
	for (int i = 0; i < GL_TLS_CHUNKS_PER_SEG; i++) {
		if (n == 0)
			break;
		if (f->chunks >= GL_TLS_CHUNKS_PER_DIR) {
			gl_count(tls_capped, 1);
			break;
		}
		__u32 m = n < GL_TLS_CHUNK_MAX ? n : GL_TLS_CHUNK_MAX;
		asm volatile("" : "+r"(m)); /* verifier: the bounds below hold on this register */
		if (m < 1 || m > GL_TLS_CHUNK_MAX)
			break;
		__u16 fl = f->flags & GL_TLS_F_CUT;
		if (at == 0)
			fl |= GL_TLS_F_FIRST;
		if (m == n)
			fl |= last_flags;
		if (f->chunks + 1 >= GL_TLS_CHUNKS_PER_DIR && !(fl & GL_TLS_F_LAST))
			fl |= GL_TLS_F_CAPPED | GL_TLS_F_LAST;
		r->flags = fl;
		r->len = m;
		r->seq = p->seq + off;
		if (!gl_tls_put(skb, t, p->payload_off + off, m)) {
			gl_count(ringbuf_drops, 1);
			break;
		}
		f->chunks++;
		gl_count(tls_chunks, 1);
		off += m;
		at += m;
		n -= m;
	}
}

/*
 * The flight's length from its first 9 bytes, or 0 when they are no ClientHello/ServerHello
 * record. Sets *cut when the hello is longer than GL_TLS_HELLO_MAX.
 */
static __always_inline __u32 gl_tls_flight_len(const __u8 *h, int *cut)
{
	if (h[0] != GL_TLS_CONTENT_HANDSHAKE || h[1] != 3 || h[2] > 4)
		return 0;
	if (h[5] != GL_TLS_HS_CLIENT_HELLO && h[5] != GL_TLS_HS_SERVER_HELLO)
		return 0;
	__u64 rec = (__u64)h[3] << 8 | h[4];
	__u64 msg = ((__u64)h[6] << 16 | (__u64)h[7] << 8 | h[8]) + 4; /* with its header */
	if (rec < 4 || rec > GL_TLS_RECORD_MAX)
		return 0;
	/* a hello longer than its record continues in the next records, each with a header */
	__u64 want = msg <= rec ? msg + 5 : msg + 5 * ((msg + rec - 1) / rec);
	*cut = want > GL_TLS_HELLO_MAX;
	return want > GL_TLS_HELLO_MAX ? GL_TLS_HELLO_MAX : (__u32)want;
}

/* The direction's entry (s or s ^ 1 with its tag), or NULL; *free: the way a new one would take. */
static __always_inline struct gl_tls_dir *gl_tls_find(__u64 h, __u64 now, struct gl_tls_dir **free)
{
	__u32 s0 = (__u32)h & (GL_TLS_DIR_SLOTS - 1), s1 = s0 ^ 1;
	__u32 tag = (__u32)(h >> 32) | 1;
	struct gl_tls_dir *a = bpf_map_lookup_elem(&gl_tls_dirs, &s0);
	struct gl_tls_dir *b = bpf_map_lookup_elem(&gl_tls_dirs, &s1);
	if (!a || !b)
		return 0;
	if (a->tag == tag)
		return a;
	if (b->tag == tag)
		return b;
	/* a way that holds no hello in flight (or a stalled one), else the one idle longest */
	int a_busy = a->active && now - a->last_ns <= gl_idle_timeout_ns;
	int b_busy = b->active && now - b->last_ns <= gl_idle_timeout_ns;
	if (a_busy != b_busy)
		*free = a_busy ? b : a;
	else
		*free = a->last_ns <= b->last_ns ? a : b;
	return 0;
}

/* A penalty's length: the idle timeout, in epochs (at least GL_TLS_HOT_EPOCHS). */
static __always_inline __u32 gl_tls_penalty_epochs(void)
{
	__u64 n = (gl_idle_timeout_ns >> GL_TLS_EPOCH_SHIFT) + GL_TLS_HOT_EPOCHS;
	return n > (GL_TLS_EPOCH_MASK >> 1) ? GL_TLS_EPOCH_MASK >> 1 : (__u32)n;
}

/*
 * What heat slot value v gave without an entry in this epoch; *cool: whether it gives more
 * (no hot spell or penalty runs).
 */
static __always_inline __u32 gl_tls_heat_seen(__u32 v, __u32 epoch, int *cool)
{
	__u32 e = v >> 8;
	*cool = 1;
	if (v & (GL_TLS_HEAT_HOT | GL_TLS_HEAT_PENALTY)) {
		__u32 span = v & GL_TLS_HEAT_PENALTY ? gl_tls_penalty_epochs() : GL_TLS_HOT_EPOCHS;
		*cool = ((epoch - e) & GL_TLS_EPOCH_MASK) >= span;
	}
	return e == epoch ? v & GL_TLS_HEAT_COUNT : 0;
}

/*
 * Takes one chunk without an entry from the slot when it is cool and has given fewer than
 * GL_TLS_HEAT_MAX in this epoch; returns 1 if so. *seen: what it gave in this epoch, this one
 * included. Not atomic: a lost update miscounts by one.
 */
static __always_inline int gl_tls_heat_take(__u32 *slot, __u32 epoch, __u32 *seen)
{
	int cool;
	__u32 n = gl_tls_heat_seen(*slot, epoch, &cool);
	*seen = n;
	if (!cool)
		return 0;
	if (n < GL_TLS_HEAT_MAX) {
		*slot = epoch << 8 | (n + 1);
		*seen = n + 1;
		return 1;
	}
	/* hot: it stays so for a while, so that a flood cannot wait for the next epoch */
	*slot = epoch << 8 | GL_TLS_HEAT_HOT | n;
	return 0;
}

/* The slot's directions take the table path for the idle timeout: a connection that sends hello
 * after hello gets no more chunks without an entry, whose budget it has spent. */
static __always_inline void gl_tls_heat_penalty(__u32 *slot, __u32 epoch)
{
	int cool;
	__u32 n = gl_tls_heat_seen(*slot, epoch, &cool);
	*slot = epoch << 8 | GL_TLS_HEAT_PENALTY | n;
}

/* The slot turns hot when what it may still give in this epoch, had the direction it all, would
 * take the direction past its budget: the direction's chunks stay within it. */
static __always_inline void gl_tls_heat_reserve(__u32 *slot, __u32 epoch, __u32 chunks)
{
	int cool;
	__u32 v = *slot, n = gl_tls_heat_seen(v, epoch, &cool);
	if (cool && chunks + GL_TLS_HEAT_MAX - n > GL_TLS_CHUNKS_PER_DIR)
		*slot = epoch << 8 | GL_TLS_HEAT_HOT | n;
}

/*
 * Counts in the direction's budget what its heat slot gave without an entry since the entry
 * last looked (the direction may have had all of it); `before`: what the slot gave in this
 * epoch before this segment. A previous epoch's chunks after the last look go uncounted: at
 * most what gl_tls_heat_reserve left it, once per epoch in which the direction also took
 * the table.
 */
static __always_inline void gl_tls_heat_sync(struct gl_tls_dir *f, __u32 epoch, __u32 before, __u32 seen)
{
	__u32 since = before;
	if (f->heat_epoch == (__u16)epoch)
		since = before > f->heat_n ? before - f->heat_n : 0;
	__u32 c = f->chunks + since;
	f->chunks = c < GL_TLS_CHUNKS_PER_DIR ? c : GL_TLS_CHUNKS_PER_DIR;
	f->heat_n = seen;
	f->heat_epoch = (__u16)epoch;
}

/* A hello whole in this segment (one chunk), of a direction whose heat slot is cool: copied
 * without a table entry (see the top). */
static __always_inline void gl_tls_once(struct __sk_buff *skb, struct gl_work *w, struct gl_tls_work *t,
					__u32 hook_dir, __u32 flight, int cut)
{
	struct gl_tls_dir *f = &t->once;
	__u8 hs = t->hdr[5];
	f->start_seq = w->pkt.seq;
	f->len = flight;
	f->chunks = 0;
	f->flags = cut ? GL_TLS_F_CUT : 0;
	f->hs_type = hs;
	f->direction = GL_DIR_UNKNOWN;
	if (!gl_offline)
		f->direction = hs == GL_TLS_HS_CLIENT_HELLO ? hook_dir : GL_DIR_SERVER + GL_DIR_CLIENT - hook_dir;
	f->ifindex = gl_offline ? 0 : skb->ifindex;
	gl_tls_emit(skb, w, t, f, 0, flight, 0, GL_TLS_F_LAST); /* chunks 0: never capped */
}

/* See the API comment at the top. Returns 1 when bytes of the segment belong to a hello. */
__noinline int gl_tls_segment(struct __sk_buff *skb, __u32 hook_dir, __u32 starts)
{
	struct gl_work *w = gl_work();
	struct gl_tls_work *t = gl_tls_work();
	if (!w || !t)
		return 0;
	struct gl_pkt *p = &w->pkt;
	__u32 plen = p->payload_len;
	__u32 flight = 0;
	int cut = 0;

	if (starts) {
		if (plen < 9)
			return 0;
		void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
		__u32 po = p->payload_off;
		__u8 *hp = data + (po & 0x1ff); /* verifier: a small bound on the offset */
		if (po < 0x1ff && (void *)(hp + 9) <= end)
			__builtin_memcpy(t->hdr, hp, 9);
		else if (bpf_skb_load_bytes(skb, po, t->hdr, 9)) /* outside the linear area */
			return 0;
		flight = gl_tls_flight_len(t->hdr, &cut);
		if (!flight)
			return 0;
		gl_count(tls_hellos, 1);
		if (cut)
			gl_count(tls_cut, 1);
	}
	w->now = gl_now();

	__u64 h = gl_tls_hash(p);
	__u32 *heat = &gl_tls_heat[(__u32)(h >> 20) & (GL_TLS_HEAT_SLOTS - 1)];
	__u32 epoch = (__u32)(w->now >> GL_TLS_EPOCH_SHIFT) & GL_TLS_EPOCH_MASK;
	__u32 seen; /* what the heat slot gave without an entry in this epoch */
	int taken = 0; /* whether that includes this segment's chunk */
	if (starts && flight <= plen && flight <= GL_TLS_CHUNK_MAX) { /* whole here, one chunk */
		taken = gl_tls_heat_take(heat, epoch, &seen);
		if (taken && ++t->fast % GL_TLS_CHECK_EVERY) {
			gl_tls_once(skb, w, t, hook_dir, flight, cut); /* no table entry */
			return 1;
		}
		/* the slot is hot, or this is the hello in GL_TLS_CHECK_EVERY that is counted in
		 * the table anyway, so that a slow flood meets its budget too */
	} else {
		int cool;
		seen = gl_tls_heat_seen(*heat, epoch, &cool);
	}
	__u32 before = seen - taken;
	struct gl_tls_dir *victim = 0;
	struct gl_tls_dir *f = gl_tls_find(h, w->now, &victim);
	if (f && w->now - f->last_ns > gl_idle_timeout_ns) { /* idle: the direction starts over */
		f->chunks = 0;
		f->started = 0;
		f->active = 0; /* a stalled flight: the sweep's recount takes it off the gate */
	}
	if (!starts && (!f || !f->active))
		return 0; /* the gate's slot is shared with another connection */
	if (f)
		gl_tls_heat_sync(f, epoch, before, seen);

	__u32 gate = gl_tls_slot(p->sport, p->dport);
	int was_active = f && f->active;
	if (starts && !(was_active && f->start_seq == p->seq)) { /* a new flight */
		if (f && f->started && f->start_seq == p->seq)
			return 1; /* a retransmitted first segment of a flight already copied */
		if (!f) { /* the direction takes a way of its set */
			f = victim;
			if (!f)
				return 0;
			if (f->active)
				gl_tls_gate_add(f->gate, -1); /* its hello in flight is dropped */
			f->tag = (__u32)(h >> 32) | 1;
			/* the slot's chunks without an entry may all have been this direction's */
			f->chunks = before;
			f->heat_n = seen;
			f->heat_epoch = (__u16)epoch;
			f->active = 0;
			was_active = 0;
		}
		if (f->chunks >= GL_TLS_CHUNKS_PER_DIR) {
			f->last_ns = w->now;
			gl_tls_heat_penalty(heat, epoch);
			gl_count(tls_capped, 1);
			return 1;
		}
		__u8 hs = t->hdr[5];
		f->start_seq = p->seq;
		f->started = 1;
		f->len = flight;
		f->have = 0;
		f->ooo_lo = 0;
		f->ooo_hi = 0;
		f->flags = cut ? GL_TLS_F_CUT : 0;
		f->hs_type = hs;
		f->direction = GL_DIR_UNKNOWN;
		if (!gl_offline) /* the connection's direction: a ServerHello goes the other way */
			f->direction = hs == GL_TLS_HS_CLIENT_HELLO ? hook_dir : GL_DIR_SERVER + GL_DIR_CLIENT - hook_dir;
		f->ifindex = gl_offline ? 0 : skb->ifindex;
		f->gate = gate;
	}
	if (!f) /* verifier: cannot be (a continuation left above without one), said in every path */
		return 0;
	f->last_ns = w->now;

	/* the part of this segment inside the flight */
	__s32 d = (__s32)(p->seq - f->start_seq);
	__u32 off = 0, at = (__u32)d;
	int done = 0;
	if (d < 0) {
		if ((__s64)plen + d <= 0)
			return 0; /* wholly before the flight */
		off = (__u32)(-d);
		at = 0;
	}
	if (at >= f->len) { /* what comes after the hello: the flight is over */
		done = 1;
	} else {
		__u32 n = plen - off;
		if (n > f->len - at)
			n = f->len - at;
		__u32 have = f->have;
		__u32 lo = f->ooo_lo, hi = f->ooo_hi;
		if (at <= have) {
			if (at + n > have)
				have = at + n;
			if (hi && lo <= have) { /* the hole is filled */
				if (hi > have)
					have = hi;
				lo = hi = 0;
			}
		} else if (!hi || at + n < lo || at > hi) {
			if (!hi || at < lo) { /* keep the range nearest the contiguous part */
				lo = at;
				hi = at + n;
			}
		} else { /* overlaps or touches the range */
			if (at < lo)
				lo = at;
			if (at + n > hi)
				hi = at + n;
		}
		done = have >= f->len;
		gl_tls_emit(skb, w, t, f, off, n, at, done ? GL_TLS_F_LAST : 0);
		f->have = have;
		f->ooo_lo = lo;
		f->ooo_hi = hi;
		if (f->chunks >= GL_TLS_CHUNKS_PER_DIR) {
			done = 1;
			gl_tls_heat_penalty(heat, epoch); /* no more hellos without the table either */
		}
	}
	f->active = !done;
	if (f->active != was_active)
		gl_tls_gate_add(f->gate, f->active ? 1 : -1);
	if (f->chunks < GL_TLS_CHUNKS_PER_DIR)
		gl_tls_heat_reserve(heat, epoch, f->chunks);
	return at < f->len;
}

/* Every segment with payload: one byte compare, and one load of the gate when it is not 0x16. */
static __always_inline int gl_tls_check(struct __sk_buff *skb, struct gl_pkt *p, __u32 hook_dir)
{
	if (!gl_tls_enabled)
		return 0;
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	__u32 po = p->payload_off;
	__u8 *first = data + (po & 0x1ff); /* verifier: a small bound on the offset */
	__u8 b;
	if (po < 0x1ff && (void *)(first + 1) <= end)
		b = *first;
	else if (bpf_skb_load_bytes(skb, po, &b, 1)) /* payload outside the linear area */
		return 0;
	if (b == GL_TLS_CONTENT_HANDSHAKE)
		return gl_tls_segment(skb, hook_dir, 1);
	if (gl_tls_gate[gl_tls_slot(p->sport, p->dport)])
		return gl_tls_segment(skb, hook_dir, 0);
	return 0;
}

struct bpf_map;

struct gl_tls_sweep_ctx {
	__u64 now;
};

static long gl_tls_sweep_one(struct bpf_map *map, __u32 *key, struct gl_tls_dir *val,
			     struct gl_tls_sweep_ctx *ctx)
{
	struct gl_tls_work *t = gl_tls_work();
	if (!t)
		return 1;
	if (!val->active)
		return 0;
	if (ctx->now > val->last_ns && ctx->now - val->last_ns > gl_idle_timeout_ns) {
		val->active = 0; /* stalled: its gate count goes with the recount below */
		return 0;
	}
	t->count[val->gate & (GL_TLS_GATE_SLOTS - 1)]++;
	return 0;
}

/*
 * Ends hellos stalled longer than the idle timeout and recounts the gate: a flight dropped when
 * its way was taken, or ended by two CPUs at once, would otherwise leave a slot counted for ever
 * (harmless — a lookup per segment of that slot — but not free). A slot that changed while we
 * counted keeps its value until the next sweep (compare-and-swap), so a recount never hides a
 * flight that started meanwhile.
 */
static __always_inline void gl_tls_sweep(__u64 now)
{
	struct gl_tls_work *t = gl_tls_work();
	if (!t || !gl_tls_enabled)
		return;
	for (int i = 0; i < GL_TLS_GATE_SLOTS; i++) {
		t->before[i] = GL_READ(gl_tls_gate[i]);
		t->count[i] = 0;
	}
	struct gl_tls_sweep_ctx ctx = { .now = now };
	bpf_for_each_map_elem(&gl_tls_dirs, gl_tls_sweep_one, &ctx, 0);
	for (int i = 0; i < GL_TLS_GATE_SLOTS; i++)
		__sync_val_compare_and_swap(&gl_tls_gate[i], t->before[i], t->count[i]);
}

#endif /* GL_TLS_H */
