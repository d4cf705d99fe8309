/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * capture.h — packets of a capture file as Ethernet frames (libpcap + zlib).
 * Kept apart from gatelens.c: libpcap's classic-BPF headers clash with linux/bpf.h.
 */
#ifndef GL_CAPTURE_H
#define GL_CAPTURE_H

#include <stddef.h>

struct gl_capture;

/* pcap or pcapng, plain or gzip'd. NULL on failure, with a sentence in err. */
struct gl_capture *gl_capture_open(const char *path, char *err, size_t errlen);
void gl_capture_close(struct gl_capture *cap);

#define GL_CAP_FRAME 1   /* frame and len hold an Ethernet frame */
#define GL_CAP_SKIP 0    /* a packet whose link layer cannot become Ethernet */
#define GL_CAP_EOF (-1)
#define GL_CAP_ERROR (-2) /* message in err */

int gl_capture_next(struct gl_capture *cap, const unsigned char **frame, size_t *len,
		    long long *ts_ns, char *err, size_t errlen);
/* bytes of the (compressed) file read so far */
long long gl_capture_offset(struct gl_capture *cap);
int gl_capture_linktype(struct gl_capture *cap);

#endif
