// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* capture.c — see capture.h. libpcap reads pcap and pcapng; zlib's gzread passes plain files
 * through unchanged, so one path serves both. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <zlib.h>

#include "capture.h"

#define GL_ETH_HLEN 14
#define GL_ETH_P_IP 0x0800
#define GL_ETH_P_IPV6 0x86DD
#define GL_DLT_LINUX_SLL2 276
#define GL_DLT_IPV4 228
#define GL_DLT_IPV6 229

struct gl_capture {
	pcap_t *pcap;
	gzFile gz;
	int linktype;
	unsigned char frame[65536 + 64];
};

static ssize_t gl_gz_read(void *cookie, char *buf, size_t size)
{
	int n = gzread((gzFile)cookie, buf, (unsigned)size);
	return n < 0 ? -1 : n;
}

static int gl_gz_close(void *cookie)
{
	return gzclose((gzFile)cookie) == Z_OK ? 0 : -1;
}

struct gl_capture *gl_capture_open(const char *path, char *err, size_t errlen)
{
	struct gl_capture *cap = calloc(1, sizeof(*cap));
	if (!cap) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	cap->gz = gzopen(path, "rb");
	if (!cap->gz) {
		snprintf(err, errlen, "cannot open capture %s: %s", path, strerror(errno));
		free(cap);
		return NULL;
	}
	gzbuffer(cap->gz, 1 << 17);
	cookie_io_functions_t io = {.read = gl_gz_read, .close = gl_gz_close};
	FILE *f = fopencookie(cap->gz, "r", io);
	if (!f) {
		snprintf(err, errlen, "cannot read capture %s: %s", path, strerror(errno));
		gzclose(cap->gz);
		free(cap);
		return NULL;
	}
	char perr[PCAP_ERRBUF_SIZE] = "";
	cap->pcap = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, perr);
	if (!cap->pcap) {
		snprintf(err, errlen, "%s is not a pcap or pcapng capture (plain or gzip'd): %s", path,
			 perr);
		fclose(f); /* closes the gzFile too */
		free(cap);
		return NULL;
	}
	cap->linktype = pcap_datalink(cap->pcap);
	return cap;
}

void gl_capture_close(struct gl_capture *cap)
{
	if (!cap)
		return;
	pcap_close(cap->pcap); /* closes the FILE, which closes the gzFile */
	free(cap);
}

long long gl_capture_offset(struct gl_capture *cap)
{
	return (long long)gzoffset(cap->gz);
}

int gl_capture_linktype(struct gl_capture *cap)
{
	return cap->linktype;
}

/* Turns a captured frame into an Ethernet frame in cap->frame; returns its length or 0. */
static size_t gl_to_ethernet(struct gl_capture *cap, const unsigned char *d, size_t len)
{
	unsigned char *f = cap->frame;
	unsigned proto = 0;
	size_t hdr = 0;

	switch (cap->linktype) {
	case DLT_EN10MB:
		if (len < GL_ETH_HLEN || len > sizeof(cap->frame))
			return 0;
		memcpy(f, d, len);
		return len;
	case DLT_LINUX_SLL: /* 16-byte cooked header, protocol at 14 */
		if (len < 16)
			return 0;
		proto = (unsigned)(d[14] << 8 | d[15]);
		hdr = 16;
		break;
	case GL_DLT_LINUX_SLL2: /* protocol at 0, 20 bytes */
		if (len < 20)
			return 0;
		proto = (unsigned)(d[0] << 8 | d[1]);
		hdr = 20;
		break;
	case DLT_NULL:
	case DLT_LOOP: {
		if (len < 4)
			return 0;
		unsigned af;
		memcpy(&af, d, 4);
		if (cap->linktype == DLT_LOOP)
			af = ntohl(af);
		else if (af > 0xffff)
			af = __builtin_bswap32(af); /* written on a host of the other byte order */
		proto = af == 2 ? GL_ETH_P_IP : (af == 24 || af == 28 || af == 30) ? GL_ETH_P_IPV6 : 0;
		hdr = 4;
		break;
	}
	case DLT_RAW:
	case GL_DLT_IPV4:
	case GL_DLT_IPV6:
		if (len < 1)
			return 0;
		proto = (d[0] >> 4) == 4 ? GL_ETH_P_IP : (d[0] >> 4) == 6 ? GL_ETH_P_IPV6 : 0;
		break;
	default:
		return 0;
	}
	if (!proto || len - hdr + GL_ETH_HLEN > sizeof(cap->frame))
		return 0;
	memset(f, 0, 12);
	f[12] = (unsigned char)(proto >> 8);
	f[13] = (unsigned char)(proto & 0xff);
	memcpy(f + GL_ETH_HLEN, d + hdr, len - hdr);
	return len - hdr + GL_ETH_HLEN;
}

int gl_capture_next(struct gl_capture *cap, const unsigned char **frame, size_t *len,
		    long long *ts_ns, char *err, size_t errlen)
{
	struct pcap_pkthdr *ph;
	const u_char *data;
	for (;;) {
		int r = pcap_next_ex(cap->pcap, &ph, &data);
		if (r == PCAP_ERROR_BREAK)
			return GL_CAP_EOF;
		if (r == PCAP_ERROR) {
			snprintf(err, errlen, "%s", pcap_geterr(cap->pcap));
			return GL_CAP_ERROR;
		}
		if (r == 1)
			break;
	}
	/* opened with nanosecond precision: tv_usec holds ns */
	*ts_ns = (long long)ph->ts.tv_sec * 1000000000LL + ph->ts.tv_usec;
	size_t n = gl_to_ethernet(cap, data, ph->caplen);
	if (!n)
		return GL_CAP_SKIP;
	*frame = cap->frame;
	*len = n;
	return GL_CAP_FRAME;
}
