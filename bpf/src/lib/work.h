/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * work.h — configuration, counters and the per-CPU work area.
 *
 * API:
 *   gl_work()            the per-CPU scratch: packet, flow copy, parse results, payload window
 *   gl_count(field, n)   bump a per-CPU counter of struct gl_counters
 *   gl_now()             packet time: the offline clock when user space set one
 *   gl_* const volatile  configuration written by user space between open and load
 *
 * verifier: the parsing loops keep everything they carry from one iteration to the next in
 * this map value, not in registers, so paths through one iteration converge at the loop head
 * and the verifier's work stays linear in the iteration count. The global (__noinline)
 * functions that use it are verified once each, whatever calls them.
 */
#ifndef GL_WORK_H
#define GL_WORK_H

#include "flow.h"

#define GL_WIN 2048 /* payload window parsed at once; power of two (index masks) */

/* configuration: set by the collector before load; the verifier prunes what is off */
const volatile __u32 gl_max_path_len = GL_PATH_MAX;
const volatile __u32 gl_sample_every = 1;
const volatile __u8 gl_watch_all_ports = 1;
const volatile __u8 gl_offline = 0; /* BPF_PROG_TEST_RUN over a capture */
const volatile __u64 gl_idle_timeout_ns = 30ULL * 1000000000ULL;

/* written by user space before each offline run: the capture's timestamp */
__u64 gl_clock_ns = 0;
/* written by the sweep: live entries of gl_flows, for the eviction count */
__u64 gl_live_flows = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u16); /* port, host order */
	__type(value, __u8);
} gl_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gl_counters);
} gl_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20); /* user space may resize before load */
} gl_events SEC(".maps");

/* result of parsing one message head in the window */
struct gl_msg {
	__u64 content_length;
	__u32 line_end;   /* index of the LF ending the first line, in the window */
	__u32 hdr_end;    /* bytes of the head incl. the empty line; 0: not in window */
	__u32 scan_pos;   /* where an unfinished header scan stopped (a line start) */
	__u32 path_off;   /* in the window */
	__u32 path_len;   /* full length, may exceed what is copied */
	__u32 host_off;
	__u32 host_len;
	__u16 status;
	__u8 method_len;
	__u8 has_version; /* request line ends in "HTTP/..." */
	__u8 line_done;   /* line_end is valid */
	__u8 hdr_flags;   /* GL_H_CHUNKED | GL_H_HAS_CL seen */
	__u8 _pad[2];
};

struct gl_work {
	struct gl_pkt pkt;
	struct gl_flow_key key;
	struct gl_conn conn; /* working copy; the program writes back what it owns */
	struct gl_msg msg;
	struct gl_pending req; /* staging for a new pending request */
	struct gl_pending_key pkey;
	struct gl_carry carry_stage;
	__u64 now;
	__u64 head_ns;  /* first byte of the head in the window (earlier when carried) */
	__u32 off;      /* payload bytes consumed */
	__u32 win_off;  /* payload offset of the first byte after the carried prefix */
	__u32 win_len;  /* valid bytes in buf, carried prefix included */
	__u32 carry;    /* buf[0, carry) came from gl_carry, not from this packet */
	__u8 from_client;
	__u8 touched_srv; /* a client step changed the server half (EOF response closed) */
	__u8 touched_cli;
	__u8 touched_inl; /* the client side changed conn.inl */
	/* +GL_CARRY_MAX+8: the packet part of a window may start after a carried prefix, and word
	 * loads at the last index stay inside */
	__u8 buf[GL_WIN + GL_CARRY_MAX + 8];
};

/*
 * A per-CPU scratch area of one struct (vtype), too large for the 512-byte stack: the map name_map
 * of one entry and the accessor name(), which returns the current CPU's copy (NULL only if the lookup
 * fails). Used for gl_work here, the TLS and sweep areas elsewhere.
 */
#define GL_PERCPU_SCRATCH(name, vtype)                                  \
	struct {                                                        \
		__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);                \
		__uint(max_entries, 1);                                 \
		__type(key, __u32);                                     \
		__type(value, vtype);                                   \
	} name##_map SEC(".maps");                                      \
	static __always_inline vtype *name(void)                        \
	{                                                               \
		__u32 zero = 0;                                         \
		return bpf_map_lookup_elem(&name##_map, &zero);         \
	}

GL_PERCPU_SCRATCH(gl_work, struct gl_work)

#define gl_count(field, n)                                                   \
	do {                                                                 \
		__u32 __zero = 0;                                            \
		struct gl_counters *__c = bpf_map_lookup_elem(&gl_stats, &__zero); \
		if (__c)                                                     \
			__c->field += (n);                                   \
	} while (0)

static __always_inline __u64 gl_now(void)
{
	if (gl_offline)
		return gl_clock_ns;
	return bpf_ktime_get_ns();
}

#endif /* GL_WORK_H */
