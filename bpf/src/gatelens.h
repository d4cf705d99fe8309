/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * gatelens.h — the only structs that cross from the kernel to user space.
 *
 * Decoded field by field in Java by
 *   collector/src/main/java/io/gatelens/collector/record/HttpRecordLayout.java  (gl_http_record)
 *   collector/src/main/java/io/gatelens/collector/record/TlsChunkLayout.java    (gl_tls_chunk)
 *   collector/src/main/java/io/gatelens/collector/bpf/KernelCounters.java       (gl_counters)
 * Update both sides together: HttpRecordLayoutTest and TlsChunkLayoutTest check the Java offsets
 * against this header's text, BpfProgramTest against the compiled structs (GatelensNative.layout).
 *
 * Every record starts with `__u16 type`; its size follows from the type (gl_http_record) or is in
 * the record (gl_tls_chunk.size: data[] is only as long as its size class). The drain copies
 * records back to back, each at a multiple of 8 bytes, so every record's size is a multiple of 8.
 *
 * Rules (libbpf-bootstrap / Cilium style): fixed-size fields, sizes as #define,
 * natural alignment, no packed structs. Integers are host byte order except where
 * the type says __be16. Addresses are 16 bytes; IPv4 is stored IPv4-mapped
 * (::ffff:a.b.c.d) so one layout serves both families.
 */
#ifndef GATELENS_H
#define GATELENS_H

#define GL_RECORD_HTTP 1 /* struct gl_http_record */
#define GL_RECORD_TLS 2  /* struct gl_tls_chunk */

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
	__u32 ifindex;    /* interface the connection's first request was seen on (0 offline) */
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

/*
 * TLS handshakes (lib/tls.h): the kernel does not parse hellos, it hands their bytes to user
 * space. A TCP segment whose payload starts a handshake record carrying a ClientHello or a
 * ServerHello, and the following segments of that direction until the hello's length is reached,
 * are copied here, GL_TLS_CHUNK_MAX bytes per chunk at most. User space orders the chunks of a
 * direction by seq, reassembles and parses them (collector/.../handshake/).
 */
#define GL_TLS_CHUNK_MAX 2048 /* payload bytes per chunk */
#define GL_TLS_CHUNK_HDR 80   /* offsetof(struct gl_tls_chunk, data) */
#define GL_TLS_HELLO_MAX 8192 /* bytes copied per hello (its flight from the 0x16), at most */
#define GL_TLS_CHUNKS_PER_DIR 16 /* chunks per direction of a connection, at most */

/* flags of a TLS chunk — update both: TlsChunkLayout.FLAG_* */
#define GL_TLS_F_FIRST (1 << 0)  /* data[0] is the first byte of the flight (the 0x16) */
#define GL_TLS_F_LAST (1 << 1)   /* the kernel copies no more of this flight after this chunk */
#define GL_TLS_F_CUT (1 << 2)    /* the hello is longer than GL_TLS_HELLO_MAX: a prefix is copied */
#define GL_TLS_F_CAPPED (1 << 3) /* the direction's chunk budget ends here: the rest is not copied */

/*
 * Bytes of one direction's hello flight: a record of `size` bytes, data[] cut to the smallest size
 * class (a multiple of 64 bytes) that holds len bytes. The addresses are the connection's, as in
 * gl_http_record: the client is the sender when hs_type is 1, the receiver when it is 2.
 * direction is that of the connection as this chunk shows it (a ClientHello on ingress: this
 * host serves; a ServerHello on ingress: this host called).
 */
struct gl_tls_chunk {
	__u16 type;        /* GL_RECORD_TLS */
	__u16 flags;       /* GL_TLS_F_* */
	__u16 len;         /* bytes used in data[] */
	__u8 family;       /* 4 or 6 */
	__u8 direction;    /* GL_DIR_* */
	__u32 ifindex;     /* interface the segment was seen on (0 offline) */
	__u32 seq;         /* TCP sequence number of data[0] */
	__u64 ts_ns;       /* time of the segment; CLOCK_MONOTONIC live, capture time offline */
	__u32 flight_seq;  /* TCP sequence number of the flight's first byte (its 0x16) */
	__u32 flight_len;  /* bytes the kernel copies of the flight, from its length fields (capped) */
	__u32 payload_len; /* TCP payload bytes of the segment */
	__u8 hs_type;      /* handshake type of the flight's first message: 1 ClientHello, 2 ServerHello */
	__u8 _pad[3];
	__u8 client_addr[16];
	__u8 server_addr[16];
	__be16 client_port;
	__be16 server_port;
	__u32 size;        /* bytes of this record: GL_TLS_CHUNK_HDR + len rounded up to a size class */
	__u8 data[GL_TLS_CHUNK_MAX];
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
	__u64 tls_hellos;          /* segments starting a ClientHello or ServerHello record */
	__u64 tls_chunks;          /* gl_tls_chunk records written to the ring buffer */
	__u64 tls_capped;          /* hello segments not copied: the direction's chunk budget is spent */
	__u64 tls_cut;             /* hellos longer than GL_TLS_HELLO_MAX (a prefix was copied) */
};

#define GL_COUNTERS_N (sizeof(struct gl_counters) / sizeof(__u64))

#endif /* GATELENS_H */
