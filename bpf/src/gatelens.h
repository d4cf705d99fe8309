/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * gatelens.h — the only structs that cross from the kernel to user space.
 *
 * Decoded field by field in Java by
 *   collector/src/main/java/io/gatelens/collector/record/HttpRecordLayout.java
 *   collector/src/main/java/io/gatelens/collector/KernelCounters.java
 * Update both sides together: HttpRecordLayoutTest checks the Java offsets against this
 * header's text, BpfProgramTest against the compiled struct (GatelensNative.layout).
 *
 * Rules (libbpf-bootstrap / Cilium style): fixed-size fields, sizes as #define,
 * natural alignment, no packed structs. Integers are host byte order except where
 * the type says __be16. Addresses are 16 bytes; IPv4 is stored IPv4-mapped
 * (::ffff:a.b.c.d) so one layout serves both families.
 */
#ifndef GATELENS_H
#define GATELENS_H

#define GL_RECORD_HTTP 1 /* struct gl_http_record */

#define GL_METHOD_MAX 16
#define GL_HOST_MAX 64
#define GL_PATH_MAX 256

/* direction: which end of the transaction this host was */
#define GL_DIR_UNKNOWN 0 /* offline analysis: a capture has no hook */
#define GL_DIR_SERVER 1  /* request arrived on ingress: this host served it */
#define GL_DIR_CLIENT 2  /* request left on egress: this host called it */

/* flags of a record — update both: HttpRecordLayout.FLAG_* */
#define GL_F_PATH_TRUNCATED (1 << 0) /* path longer than max_path_len */
#define GL_F_HOST_TRUNCATED (1 << 1) /* Host value longer than GL_HOST_MAX */
#define GL_F_NO_RESPONSE (1 << 2)    /* connection ended or timed out before any response */
#define GL_F_TIMEOUT (1 << 3)        /* emitted by the idle sweep, not by a packet */
#define GL_F_RESP_TRUNCATED (1 << 4) /* FIN/RST before the declared body length */
#define GL_F_RESP_EOF (1 << 5)       /* body delimited by close or by the next request */
#define GL_F_GAP (1 << 6)            /* bytes of this transaction were never seen */
#define GL_F_PIPELINED (1 << 7)      /* sent while an earlier request was unanswered */
#define GL_F_RESET (1 << 8)          /* connection reset */
#define GL_F_NO_VERSION (1 << 9)     /* request line without "HTTP/1.x" */
#define GL_F_UPGRADE (1 << 10)       /* 101 Switching Protocols or CONNECT tunnel */
#define GL_F_REQ_BODY_OPEN (1 << 11) /* response came before the request body ended */

/*
 * One HTTP/1.x transaction: a request and the response paired with it.
 * Times are ns. start_ns is CLOCK_MONOTONIC when live, capture time when offline;
 * user space converts to wall clock. ttfb_ns and latency_ns are 0 without response.
 */
struct gl_http_record {
	__u16 type;       /* GL_RECORD_HTTP */
	__u16 flags;      /* GL_F_* */
	__u16 status;     /* response status code, 0 when none */
	__u8 family;      /* 4 or 6 */
	__u8 direction;   /* GL_DIR_* */
	__u32 ifindex;    /* interface the request was seen on (0 offline) */
	__u16 path_len;   /* bytes used in path[] */
	__u8 method_len;  /* bytes used in method[] */
	__u8 host_len;    /* bytes used in host[]; 0 when no Host in the first segment */
	__u64 start_ns;   /* first byte of the request */
	__u64 ttfb_ns;    /* start_ns -> first byte of the response */
	__u64 latency_ns; /* start_ns -> last byte of the response */
	__u64 req_bytes;  /* request line + headers + body */
	__u64 resp_bytes; /* status line + headers + body */
	__u8 client_addr[16];
	__u8 server_addr[16];
	__be16 client_port;
	__be16 server_port;
	__u32 _pad;
	char method[GL_METHOD_MAX];
	char host[GL_HOST_MAX];
	char path[GL_PATH_MAX];
};

/* Per-CPU counters (one slot of a PERCPU_ARRAY); user space sums the CPUs.
 * Update both: KernelCounters.NAMES lists the fields in this order. */
struct gl_counters {
	__u64 packets;             /* packets the TC programs looked at */
	__u64 requests;            /* request heads parsed */
	__u64 responses;           /* final response heads parsed */
	__u64 responses_unmatched; /* response with no request pending: counted, not emitted */
	__u64 records;             /* records written to the ring buffer */
	__u64 ringbuf_drops;       /* records lost because the ring buffer was full */
	__u64 sampled_out;         /* records skipped by 1-in-N sampling */
	__u64 flows_created;       /* connections added to the flow table */
	__u64 flows_closed;        /* connections removed by FIN/RST/sweep */
	__u64 timeouts;            /* transactions emitted by the idle sweep */
	__u64 gaps;                /* sequence gaps: bytes the hook never saw */
	__u64 retransmits;         /* segments (or parts) seen before, skipped */
	__u64 desyncs;             /* expected a message start, found other bytes */
	__u64 pending_overflow;    /* request dropped: too many unanswered on one connection */
	__u64 pending_lost;        /* pending request evicted from its LRU table */
};

#define GL_COUNTERS_N (sizeof(struct gl_counters) / sizeof(__u64))

#endif /* GATELENS_H */
