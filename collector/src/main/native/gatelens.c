// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * gatelens.c — the user-space half of bpf/src/gatelens.bpf.c, as a JNI library over libbpf.
 *
 * Every native method is declared in io.gatelens.collector.bpf.GatelensNative (one class,
 * duckdb-java style). Failures become io.gatelens.collector.bpf.CollectorException through
 * gl_throw(), always with a reason name and a sentence that says what to do.
 *
 * Records leave the ring buffer by bulk copy into a direct ByteBuffer that Java decodes:
 * one JNI crossing per batch, never one per record.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <net/if.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/rtnetlink.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <jni.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>

#include "gatelens.h"
#include "gatelens.skel.h"
#include "noop.skel.h"
#include "io_gatelens_collector_bpf_GatelensNative.h"
#include "capture.h"

#define GL_EXC "io/gatelens/collector/bpf/CollectorException"
/* the largest record the programs write: the drain stops while one more still fits */
#define GL_RECORD_MAX_SIZE                                                                   \
	(sizeof(struct gl_tls_chunk) > sizeof(struct gl_http_record) ? sizeof(struct gl_tls_chunk) \
								      : sizeof(struct gl_http_record))
#define GL_LOG_MAX (256 * 1024)

/* ------------------------------------------------------------------ errors & libbpf log */

static __thread char *gl_log;
static __thread size_t gl_log_len;

static int gl_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	if (!gl_log) {
		gl_log = malloc(GL_LOG_MAX);
		if (!gl_log)
			return 0;
		gl_log_len = 0;
		gl_log[0] = 0;
	}
	if (gl_log_len + 1 >= GL_LOG_MAX)
		return 0;
	int n = vsnprintf(gl_log + gl_log_len, GL_LOG_MAX - gl_log_len, fmt, ap);
	if (n > 0)
		gl_log_len += (size_t)n < GL_LOG_MAX - gl_log_len ? (size_t)n : GL_LOG_MAX - gl_log_len - 1;
	return n;
}

static void gl_log_reset(void)
{
	gl_log_len = 0;
	if (gl_log)
		gl_log[0] = 0;
}

/* Throws CollectorException(reason, message, detail); detail is the libbpf/verifier log. */
static void gl_throw(JNIEnv *env, const char *reason, int err, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	jclass cls = (*env)->FindClass(env, GL_EXC);
	if (!cls)
		return;
	jmethodID ctor = (*env)->GetMethodID(env, cls, "<init>",
					     "(Ljava/lang/String;ILjava/lang/String;Ljava/lang/String;)V");
	if (!ctor)
		return;
	jstring jr = (*env)->NewStringUTF(env, reason);
	jstring jm = (*env)->NewStringUTF(env, msg);
	jstring jd = (*env)->NewStringUTF(env, gl_log ? gl_log : "");
	jobject ex = (*env)->NewObject(env, cls, ctor, jr, (jint)err, jm, jd);
	if (ex)
		(*env)->Throw(env, ex);
}

static const char *gl_reason_of(int err)
{
	err = err < 0 ? -err : err;
	if (err == EPERM)
		return "NOT_PERMITTED";
	if (err == EACCES) /* the verifier's verdict on an unsafe program */
		return "VERIFIER_REJECTED";
	if (err == ENODEV || err == ENXIO)
		return "INTERFACE_NOT_FOUND";
	if (err == EINVAL || err == E2BIG || err == ENOSPC)
		return "VERIFIER_REJECTED";
	if (err == ENOSYS || err == EOPNOTSUPP || err == ENOTSUP)
		return "KERNEL_TOO_OLD";
	return "BPF_ERROR";
}

/* ------------------------------------------------------------------ the loaded object */

struct gl_hook {
	int ifindex;
	int created_qdisc;
	struct bpf_tc_hook hook[2];  /* ingress, egress */
	struct bpf_tc_opts opts[2];
	int attached[2];
};

#define GL_MAX_HOOKS 64

struct gl_ctx {
	struct gatelens_bpf *skel;
	struct ring_buffer *rb;
	struct gl_hook hooks[GL_MAX_HOOKS];
	int nhooks;
	int ncpus;
	/* drain target, valid during one call */
	unsigned char *dst;
	size_t cap;
	size_t used;
};

static int gl_on_record(void *ctx, void *data, size_t len)
{
	struct gl_ctx *c = ctx;
	if (c->used + len > c->cap)
		return -ENOSPC; /* cannot happen: we stop while a whole record still fits */
	memcpy(c->dst + c->used, data, len);
	c->used += (len + 7) & ~(size_t)7;
	/* stop while the next record, of any type, still fits; this one is already consumed */
	if (c->cap - c->used < GL_RECORD_MAX_SIZE)
		return -ENOSPC;
	return 0;
}

static struct gl_ctx *gl_ctx_of(JNIEnv *env, jlong h)
{
	if (!h)
		gl_throw(env, "CLOSED", 0, "the BPF program handle is closed");
	return (struct gl_ctx *)(intptr_t)h;
}

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved)
{
	libbpf_set_print(gl_libbpf_print);
	return JNI_VERSION_1_8;
}

JNIEXPORT jlong JNICALL Java_io_gatelens_collector_bpf_GatelensNative_open(
	JNIEnv *env, jclass cls, jint max_path_len, jint sample_every, jintArray ports,
	jlong idle_timeout_ns, jboolean offline, jint ring_bytes, jint max_flows, jboolean tls)
{
	gl_log_reset();
	struct gl_ctx *c = calloc(1, sizeof(*c));
	if (!c) {
		gl_throw(env, "BPF_ERROR", ENOMEM, "out of memory");
		return 0;
	}
	c->ncpus = libbpf_num_possible_cpus();
	c->skel = gatelens_bpf__open();
	if (!c->skel) {
		int err = errno;
		free(c);
		gl_throw(env, gl_reason_of(err), err, "cannot open the embedded BPF object: %s",
			 strerror(err));
		return 0;
	}
	struct gatelens_bpf *s = c->skel;
	jsize nports = ports ? (*env)->GetArrayLength(env, ports) : 0;
	s->rodata->gl_max_path_len = (unsigned)max_path_len;
	s->rodata->gl_sample_every = (unsigned)(sample_every < 1 ? 1 : sample_every);
	s->rodata->gl_watch_all_ports = nports == 0;
	s->rodata->gl_offline = offline ? 1 : 0;
	s->rodata->gl_idle_timeout_ns = (unsigned long long)idle_timeout_ns;
	s->rodata->gl_tls_enabled = tls ? 1 : 0;
	__u64 seed; /* the key of the TLS budget hash: directions an outsider cannot make collide */
	if (getrandom(&seed, sizeof(seed), 0) == sizeof(seed))
		s->rodata->gl_tls_seed = seed;
	if (ring_bytes > 0)
		bpf_map__set_max_entries(s->maps.gl_events, (unsigned)ring_bytes);
	if (max_flows > 0) {
		bpf_map__set_max_entries(s->maps.gl_flows, (unsigned)max_flows);
		bpf_map__set_max_entries(s->maps.gl_pending, (unsigned)max_flows);
	}
	int err = gatelens_bpf__load(s);
	if (err) {
		gatelens_bpf__destroy(s);
		free(c);
		if (err == -EPERM)
			gl_throw(env, "NOT_PERMITTED", -err,
				 "loading BPF programs was refused (%s): run as root or grant "
				 "CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON",
				 strerror(-err));
		else
			gl_throw(env, gl_reason_of(err), -err,
				 "the kernel rejected the BPF programs (%s); the verifier log follows",
				 strerror(-err));
		return 0;
	}
	for (jsize i = 0; i < nports; i++) {
		jint p;
		(*env)->GetIntArrayRegion(env, ports, i, 1, &p);
		__u16 port = (__u16)p;
		__u8 one = 1;
		bpf_map__update_elem(s->maps.gl_ports, &port, sizeof(port), &one, sizeof(one), BPF_ANY);
	}
	c->rb = ring_buffer__new(bpf_map__fd(s->maps.gl_events), gl_on_record, c, NULL);
	if (!c->rb) {
		err = errno;
		gatelens_bpf__destroy(s);
		free(c);
		gl_throw(env, "BPF_ERROR", err, "cannot map the ring buffer: %s", strerror(err));
		return 0;
	}
	return (jlong)(intptr_t)c;
}

/* TC filters on ifindex under a clsact parent (ingress 0xFFFFFFF2, egress 0xFFFFFFF3), by an
 * rtnetlink dump; -1 when the kernel could not be asked (then the qdisc is left in place). */
static int gl_count_filters(int ifindex, __u32 parent)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -1;
	struct {
		struct nlmsghdr nh;
		struct tcmsg t;
	} req = {
		.nh = {.nlmsg_len = NLMSG_LENGTH(sizeof(struct tcmsg)),
		       .nlmsg_type = RTM_GETTFILTER,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		       .nlmsg_seq = 1},
		.t = {.tcm_family = AF_UNSPEC, .tcm_ifindex = ifindex, .tcm_parent = parent},
	};
	int count = -1;
	if (send(fd, &req, req.nh.nlmsg_len, 0) < 0)
		goto out;
	static __thread char buf[32768];
	count = 0;
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0) {
			count = -1;
			goto out;
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE)
				goto out;
			if (h->nlmsg_type == NLMSG_ERROR) {
				count = -1;
				goto out;
			}
			if (h->nlmsg_type == RTM_NEWTFILTER)
				count++;
		}
	}
out:
	close(fd);
	return count;
}

static void gl_detach_hook(struct gl_hook *hk)
{
	for (int d = 0; d < 2; d++) {
		if (!hk->attached[d])
			continue;
		struct bpf_tc_opts o = {.sz = sizeof(o),
					.handle = hk->opts[d].handle,
					.priority = hk->opts[d].priority};
		bpf_tc_detach(&hk->hook[d], &o);
		hk->attached[d] = 0;
	}
	/* ours, and nobody else (another gatelens, tc users) has filters on it since */
	if (hk->created_qdisc && gl_count_filters(hk->ifindex, 0xFFFFFFF2U) == 0 &&
	    gl_count_filters(hk->ifindex, 0xFFFFFFF3U) == 0) {
		/* destroying the clsact hook removes the qdisc with it */
		hk->hook[0].attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		bpf_tc_hook_destroy(&hk->hook[0]);
		hk->created_qdisc = 0;
	}
	hk->ifindex = 0;
}

JNIEXPORT void JNICALL Java_io_gatelens_collector_bpf_GatelensNative_close(JNIEnv *env, jclass cls,
									    jlong h)
{
	struct gl_ctx *c = (struct gl_ctx *)(intptr_t)h;
	if (!c)
		return;
	for (int i = 0; i < c->nhooks; i++)
		if (c->hooks[i].ifindex)
			gl_detach_hook(&c->hooks[i]);
	ring_buffer__free(c->rb);
	gatelens_bpf__destroy(c->skel);
	free(c);
}

JNIEXPORT jint JNICALL Java_io_gatelens_collector_bpf_GatelensNative_ifindex(JNIEnv *env, jclass cls,
									      jstring name)
{
	const char *n = (*env)->GetStringUTFChars(env, name, NULL);
	if (!n)
		return 0;
	unsigned idx = if_nametoindex(n);
	(*env)->ReleaseStringUTFChars(env, name, n);
	return (jint)idx;
}

/* Returns 1 when gatelens created the clsact qdisc, 0 when one was there already. */
JNIEXPORT jint JNICALL Java_io_gatelens_collector_bpf_GatelensNative_attach(
	JNIEnv *env, jclass cls, jlong h, jint ifindex, jboolean ingress, jboolean egress)
{
	struct gl_ctx *c = gl_ctx_of(env, h);
	if (!c)
		return -1;
	gl_log_reset();
	struct gl_hook *hk = NULL;
	for (int i = 0; i < c->nhooks; i++)
		if (c->hooks[i].ifindex == ifindex) {
			gl_throw(env, "ALREADY_ATTACHED", EEXIST, "interface %d is already attached",
				 ifindex);
			return -1;
		}
	for (int i = 0; i < c->nhooks; i++)
		if (!c->hooks[i].ifindex)
			hk = &c->hooks[i];
	if (!hk) {
		if (c->nhooks == GL_MAX_HOOKS) {
			gl_throw(env, "BPF_ERROR", ENOSPC, "at most %d interfaces", GL_MAX_HOOKS);
			return -1;
		}
		hk = &c->hooks[c->nhooks++];
	}
	memset(hk, 0, sizeof(*hk));
	int progs[2] = {bpf_program__fd(c->skel->progs.gl_tc_ingress),
			bpf_program__fd(c->skel->progs.gl_tc_egress)};
	int want[2] = {ingress, egress};
	for (int d = 0; d < 2; d++) {
		hk->hook[d].sz = sizeof(hk->hook[d]);
		hk->hook[d].ifindex = ifindex;
		hk->hook[d].attach_point = d == 0 ? BPF_TC_INGRESS : BPF_TC_EGRESS;
	}
	int err = bpf_tc_hook_create(&hk->hook[0]);
	if (err && err != -EEXIST) {
		gl_throw(env, err == -ENODEV || err == -EINVAL ? "INTERFACE_NOT_FOUND" : gl_reason_of(err),
			 -err, "cannot add a clsact qdisc to interface index %d: %s", ifindex,
			 strerror(-err));
		return -1;
	}
	hk->created_qdisc = err == 0;
	hk->ifindex = ifindex;
	for (int d = 0; d < 2; d++) {
		if (!want[d])
			continue;
		hk->opts[d].sz = sizeof(hk->opts[d]);
		hk->opts[d].prog_fd = progs[d];
		err = bpf_tc_attach(&hk->hook[d], &hk->opts[d]);
		if (err) {
			gl_detach_hook(hk);
			gl_throw(env, gl_reason_of(err), -err,
				 "cannot attach the %s TC program to interface index %d: %s",
				 d == 0 ? "ingress" : "egress", ifindex, strerror(-err));
			return -1;
		}
		hk->attached[d] = 1;
	}
	return hk->created_qdisc;
}

JNIEXPORT void JNICALL Java_io_gatelens_collector_bpf_GatelensNative_detach(JNIEnv *env, jclass cls,
									     jlong h, jint ifindex)
{
	struct gl_ctx *c = gl_ctx_of(env, h);
	if (!c)
		return;
	for (int i = 0; i < c->nhooks; i++)
		if (c->hooks[i].ifindex == ifindex) {
			gl_detach_hook(&c->hooks[i]);
			return;
		}
	gl_throw(env, "NOT_ATTACHED", ENOENT, "interface index %d is not attached", ifindex);
}

/* struct gl_counters summed over CPUs, then gl_live_flows, then the TLS directions mid-hello
 * (the sum of gl_tls_gate). */
JNIEXPORT jlongArray JNICALL Java_io_gatelens_collector_bpf_GatelensNative_counters(JNIEnv *env,
										   jclass cls,
										   jlong h)
{
	struct gl_ctx *c = gl_ctx_of(env, h);
	if (!c)
		return NULL;
	struct gl_counters *per = calloc(c->ncpus, sizeof(*per));
	if (!per)
		return NULL;
	__u32 zero = 0;
	jlong sum[GL_COUNTERS_N + 2] = {0};
	if (bpf_map__lookup_elem(c->skel->maps.gl_stats, &zero, sizeof(zero), per,
				 sizeof(*per) * c->ncpus, 0) == 0) {
		for (int cpu = 0; cpu < c->ncpus; cpu++) {
			__u64 *v = (__u64 *)&per[cpu];
			for (size_t i = 0; i < GL_COUNTERS_N; i++)
				sum[i] += (jlong)v[i];
		}
	}
	free(per);
	sum[GL_COUNTERS_N] = (jlong)c->skel->bss->gl_live_flows;
	__s64 active = 0; /* an unsigned slot that went below zero between recounts reads negative */
	for (size_t i = 0; i < sizeof(c->skel->bss->gl_tls_gate) / sizeof(__u32); i++)
		active += (__s32)c->skel->bss->gl_tls_gate[i];
	sum[GL_COUNTERS_N + 1] = (jlong)active;
	jlongArray out = (*env)->NewLongArray(env, GL_COUNTERS_N + 2);
	if (out)
		(*env)->SetLongArrayRegion(env, out, 0, GL_COUNTERS_N + 2, sum);
	return out;
}

static int gl_drain_into(JNIEnv *env, struct gl_ctx *c, jobject dst, int timeout_ms)
{
	c->dst = (*env)->GetDirectBufferAddress(env, dst);
	c->cap = (size_t)(*env)->GetDirectBufferCapacity(env, dst);
	c->used = 0;
	if (!c->dst || c->cap < GL_RECORD_MAX_SIZE) {
		gl_throw(env, "BAD_ARGUMENT", EINVAL, "drain needs a direct buffer of at least %zu bytes",
			 (size_t)GL_RECORD_MAX_SIZE);
		return -1;
	}
	int err = timeout_ms >= 0 ? ring_buffer__poll(c->rb, timeout_ms) : ring_buffer__consume(c->rb);
	/* the kernel wakes us only once a batch has gathered (emit.h): after the wait, take what
	 * arrived without a wakeup too */
	if (err >= 0 && timeout_ms >= 0)
		err = ring_buffer__consume(c->rb);
	if (err < 0 && err != -ENOSPC && err != -EINTR) {
		gl_throw(env, "BPF_ERROR", -err, "reading the ring buffer failed: %s", strerror(-err));
		return -1;
	}
	return (int)c->used;
}

/* Copies whole records into dst (from offset 0); returns the bytes written.
 * timeout_ms < 0: do not wait. */
JNIEXPORT jint JNICALL Java_io_gatelens_collector_bpf_GatelensNative_drain(JNIEnv *env, jclass cls,
									    jlong h, jobject dst,
									    jint timeout_ms)
{
	struct gl_ctx *c = gl_ctx_of(env, h);
	if (!c)
		return -1;
	return gl_drain_into(env, c, dst, timeout_ms);
}

JNIEXPORT void JNICALL Java_io_gatelens_collector_bpf_GatelensNative_setClock(JNIEnv *env, jclass cls,
									       jlong h, jlong ns)
{
	struct gl_ctx *c = gl_ctx_of(env, h);
	if (c)
		c->skel->bss->gl_clock_ns = (__u64)ns;
}

static int gl_run(int prog_fd, const void *pkt, __u32 len, int repeat, __u32 *duration)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = len,
		    .repeat = repeat > 0 ? repeat : 1);
	int err = bpf_prog_test_run_opts(prog_fd, &o);
	if (duration)
		*duration = o.duration;
	return err ? err : (int)o.retval;
}

static const unsigned char gl_sweep_pkt[ETH_HLEN + 20] = {0};

JNIEXPORT void JNICALL Java_io_gatelens_collector_bpf_GatelensNative_sweep(JNIEnv *env, jclass cls,
									    jlong h)
{
	struct gl_ctx *c = gl_ctx_of(env, h);
	if (!c)
		return;
	int err = gl_run(bpf_program__fd(c->skel->progs.gl_sweep), gl_sweep_pkt, sizeof(gl_sweep_pkt),
			 1, NULL);
	if (err < 0)
		gl_throw(env, gl_reason_of(err), -err, "the idle sweep failed: %s", strerror(-err));
}

/*
 * Runs one packet through a program with BPF_PROG_TEST_RUN.
 * prog: 0 ingress, 1 egress, 2 sweep, 3 the no-op baseline. Returns the mean ns per run
 * (the kernel's own timing) or throws.
 */
JNIEXPORT jlong JNICALL Java_io_gatelens_collector_bpf_GatelensNative_testRun(
	JNIEnv *env, jclass cls, jlong h, jint prog, jbyteArray pkt, jint repeat)
{
	struct gl_ctx *c = gl_ctx_of(env, h);
	if (!c)
		return -1;
	static struct noop_bpf *noop;
	int fd;
	switch (prog) {
	case 0: fd = bpf_program__fd(c->skel->progs.gl_tc_ingress); break;
	case 1: fd = bpf_program__fd(c->skel->progs.gl_tc_egress); break;
	case 2: fd = bpf_program__fd(c->skel->progs.gl_sweep); break;
	case 3:
		if (!noop && !(noop = noop_bpf__open_and_load())) {
			gl_throw(env, "BPF_ERROR", errno, "cannot load the no-op program");
			return -1;
		}
		fd = bpf_program__fd(noop->progs.gl_noop);
		break;
	default:
		gl_throw(env, "BAD_ARGUMENT", EINVAL, "unknown program %d", prog);
		return -1;
	}
	jsize len = (*env)->GetArrayLength(env, pkt);
	jbyte *bytes = (*env)->GetByteArrayElements(env, pkt, NULL);
	if (!bytes)
		return -1;
	__u32 duration = 0;
	int err = gl_run(fd, bytes, (__u32)len, repeat, &duration);
	(*env)->ReleaseByteArrayElements(env, pkt, bytes, JNI_ABORT);
	if (err < 0) {
		gl_throw(env, "BAD_ARGUMENT", -err, "BPF_PROG_TEST_RUN refused a %d-byte packet: %s",
			 (int)len, strerror(-err));
		return -1;
	}
	return (jlong)duration;
}

/* Opens and loads any BPF object file, then unloads it: the verifier's verdict, with its log
 * in the exception when it rejects. A diagnostic, and the test of that error path. */
JNIEXPORT void JNICALL Java_io_gatelens_collector_bpf_GatelensNative_verifyObject(JNIEnv *env,
										   jclass cls,
										   jstring path)
{
	const char *p = (*env)->GetStringUTFChars(env, path, NULL);
	if (!p)
		return;
	gl_log_reset();
	struct bpf_object *obj = bpf_object__open_file(p, NULL);
	int err = obj ? bpf_object__load(obj) : -errno;
	if (err)
		gl_throw(env, obj ? gl_reason_of(err) : "BAD_ARGUMENT", -err,
			 "the kernel rejected %s (%s); the verifier log follows", p, strerror(-err));
	bpf_object__close(obj);
	(*env)->ReleaseStringUTFChars(env, path, p);
}

/* sizeof and field offsets of struct gl_http_record, for the Java layout test */
JNIEXPORT jintArray JNICALL Java_io_gatelens_collector_bpf_GatelensNative_layout(JNIEnv *env,
										 jclass cls)
{
#define OFF(f) (jint) offsetof(struct gl_http_record, f)
	jint v[] = {(jint)sizeof(struct gl_http_record), OFF(type), OFF(flags), OFF(status),
		    OFF(family), OFF(direction), OFF(ifindex), OFF(path_len), OFF(method_len),
		    OFF(host_len), OFF(start_ns), OFF(ttfb_ns), OFF(latency_ns), OFF(req_bytes),
		    OFF(resp_bytes), OFF(client_addr), OFF(server_addr), OFF(client_port),
		    OFF(server_port), OFF(method), OFF(host), OFF(path),
		    (jint)GL_COUNTERS_N};
#undef OFF
	jintArray out = (*env)->NewIntArray(env, sizeof(v) / sizeof(v[0]));
	if (out)
		(*env)->SetIntArrayRegion(env, out, 0, sizeof(v) / sizeof(v[0]), v);
	return out;
}

/* sizeof and field offsets of struct gl_tls_chunk, for the Java layout test */
JNIEXPORT jintArray JNICALL Java_io_gatelens_collector_bpf_GatelensNative_tlsLayout(JNIEnv *env,
										    jclass cls)
{
#define OFF(f) (jint) offsetof(struct gl_tls_chunk, f)
	jint v[] = {(jint)sizeof(struct gl_tls_chunk), OFF(type), OFF(flags), OFF(len), OFF(family),
		    OFF(direction), OFF(ifindex), OFF(seq), OFF(ts_ns), OFF(flight_seq),
		    OFF(flight_len), OFF(payload_len), OFF(hs_type), OFF(client_addr),
		    OFF(server_addr), OFF(client_port), OFF(server_port), OFF(size), OFF(data),
		    (jint)GL_TLS_CHUNK_MAX, (jint)GL_RECORD_MAX_SIZE};
#undef OFF
	jintArray out = (*env)->NewIntArray(env, sizeof(v) / sizeof(v[0]));
	if (out)
		(*env)->SetIntArrayRegion(env, out, 0, sizeof(v) / sizeof(v[0]), v);
	return out;
}

/* ------------------------------------------------------------------ offline captures */

/*
 * BPF_PROG_TEST_RUN takes at most about a page for a TC program, while captures on
 * loopback or with offloads hold segments of up to 64 KB. Such a segment is replayed as
 * consecutive smaller segments of the same stream (sequence numbers and IP lengths
 * adjusted, flags only on the last): the same bytes in the same order.
 */
#define GL_RUN_MAX 3072

static int gl_run_frame(struct gl_ctx *c, int fd, unsigned char *f, size_t len)
{
	if (len <= GL_RUN_MAX)
		return gl_run(fd, f, (__u32)len, 1, NULL);

	size_t l3 = ETH_HLEN;
	__u16 proto = (__u16)(f[12] << 8 | f[13]);
	for (int i = 0; i < 2 && (proto == ETH_P_8021Q || proto == ETH_P_8021AD); i++) {
		proto = (__u16)(f[l3 + 2] << 8 | f[l3 + 3]);
		l3 += 4;
	}
	size_t l4, iphl;
	if (proto == ETH_P_IP) {
		iphl = (f[l3] & 0x0f) * 4;
		if (f[l3 + 9] != 6 || iphl < 20)
			return 0;
		l4 = l3 + iphl;
	} else if (proto == ETH_P_IPV6) {
		if (f[l3 + 6] != 6)
			return 0; /* extension headers on a jumbo segment: not worth replaying */
		iphl = 40;
		l4 = l3 + 40;
	} else {
		return 0;
	}
	if (l4 + 20 > len)
		return 0;
	size_t thl = (f[l4 + 12] >> 4) * 4;
	size_t hdrs = l4 + thl;
	if (thl < 20 || hdrs >= len)
		return 0;
	size_t payload = len - hdrs;
	size_t chunk = GL_RUN_MAX - hdrs;
	__u32 seq0;
	memcpy(&seq0, f + l4 + 4, 4);
	seq0 = ntohl(seq0);
	__u8 flags = f[l4 + 13];
	static unsigned char part[GL_RUN_MAX];
	for (size_t off = 0; off < payload; off += chunk) {
		size_t n = payload - off < chunk ? payload - off : chunk;
		int last = off + n == payload;
		memcpy(part, f, hdrs);
		memcpy(part + hdrs, f + hdrs + off, n);
		if (proto == ETH_P_IP) {
			__u16 tot = htons((__u16)(iphl + thl + n));
			memcpy(part + l3 + 2, &tot, 2);
		} else {
			__u16 pl = htons((__u16)(thl + n));
			memcpy(part + l3 + 4, &pl, 2);
		}
		__u32 seq = htonl(seq0 + (__u32)off);
		memcpy(part + l4 + 4, &seq, 4);
		part[l4 + 13] = last ? flags : (flags & ~(0x01 | 0x04 | 0x08)); /* FIN, RST, PSH */
		int err = gl_run(fd, part, (__u32)(hdrs + n), 1, NULL);
		if (err < 0)
			return err;
	}
	return 0;
}

struct gl_replay {
	struct gl_capture *cap;
	long long last_sweep_ns;
	long long last_ts_ns;
	unsigned long long packets;
	unsigned long long skipped; /* link types or frames that cannot become Ethernet */
};

JNIEXPORT jlong JNICALL Java_io_gatelens_collector_bpf_GatelensNative_captureOpen(JNIEnv *env,
										  jclass cls,
										  jstring path)
{
	const char *p = (*env)->GetStringUTFChars(env, path, NULL);
	if (!p)
		return 0;
	char err[512];
	struct gl_replay *rp = calloc(1, sizeof(*rp));
	if (rp)
		rp->cap = gl_capture_open(p, err, sizeof(err));
	(*env)->ReleaseStringUTFChars(env, path, p);
	if (!rp || !rp->cap) {
		free(rp);
		gl_throw(env, "CAPTURE_UNREADABLE", EINVAL, "%s", rp ? err : "out of memory");
		return 0;
	}
	return (jlong)(intptr_t)rp;
}

JNIEXPORT void JNICALL Java_io_gatelens_collector_bpf_GatelensNative_captureClose(JNIEnv *env,
										  jclass cls,
										  jlong hc)
{
	struct gl_replay *rp = (struct gl_replay *)(intptr_t)hc;
	if (!rp)
		return;
	gl_capture_close(rp->cap);
	free(rp);
}

/*
 * Feeds packets until the capture ends, `max_packets` were fed, or `dst` is nearly full
 * (records are drained into it after every packet, so none is ever dropped).
 * Returns the packets fed, or -1 at the end of the capture; progress[0] = bytes written
 * to dst, progress[1] = packets read in total, progress[2] = packets skipped in total,
 * progress[3] = timestamp of the last packet (ns since the epoch).
 */
JNIEXPORT jint JNICALL Java_io_gatelens_collector_bpf_GatelensNative_captureFeed(
	JNIEnv *env, jclass cls, jlong h, jlong hc, jint max_packets, jobject dst, jlongArray progress)
{
	struct gl_ctx *c = gl_ctx_of(env, h);
	struct gl_replay *rp = (struct gl_replay *)(intptr_t)hc;
	if (!c || !rp)
		return -1;
	c->dst = (*env)->GetDirectBufferAddress(env, dst);
	c->cap = (size_t)(*env)->GetDirectBufferCapacity(env, dst);
	c->used = 0;
	/* a packet emits at most ~32 HTTP records and, split into test-run parts (gl_run_frame),
	 * at most the chunk budget of its direction; more would wait in the ring, not be lost */
	size_t reserve = 64 * sizeof(struct gl_http_record) +
			 GL_TLS_CHUNKS_PER_DIR * sizeof(struct gl_tls_chunk);
	if (!c->dst || c->cap < 2 * reserve) {
		gl_throw(env, "BAD_ARGUMENT", EINVAL, "captureFeed needs a direct buffer of >= %zu bytes",
			 2 * reserve);
		return -1;
	}
	int in_fd = bpf_program__fd(c->skel->progs.gl_tc_ingress);
	int sweep_fd = bpf_program__fd(c->skel->progs.gl_sweep);
	int fed = 0, eof = 0;
	char err[512];
	while (fed < max_packets && c->cap - c->used >= reserve) {
		const unsigned char *frame;
		size_t flen;
		long long ts;
		int r = gl_capture_next(rp->cap, &frame, &flen, &ts, err, sizeof(err));
		if (r == GL_CAP_EOF) {
			eof = 1;
			break;
		}
		if (r == GL_CAP_ERROR) {
			gl_throw(env, "CAPTURE_UNREADABLE", EIO,
				 "reading the capture failed after %llu packets: %s", rp->packets, err);
			return -1;
		}
		rp->packets++;
		fed++;
		rp->last_ts_ns = ts;
		if (r == GL_CAP_SKIP) {
			rp->skipped++;
			continue;
		}
		c->skel->bss->gl_clock_ns = (__u64)ts;
		/* the idle sweep follows capture time: once a second */
		if (ts - rp->last_sweep_ns >= 1000000000LL) {
			if (rp->last_sweep_ns)
				gl_run(sweep_fd, gl_sweep_pkt, sizeof(gl_sweep_pkt), 1, NULL);
			rp->last_sweep_ns = ts;
		}
		int e = gl_run_frame(c, in_fd, (unsigned char *)frame, flen);
		if (e < 0) {
			gl_throw(env, gl_reason_of(e), -e, "BPF_PROG_TEST_RUN failed on packet %llu: %s",
				 rp->packets, strerror(-e));
			return -1;
		}
		ring_buffer__consume(c->rb);
	}
	ring_buffer__consume(c->rb);
	jlong pr[4] = {(jlong)c->used, (jlong)rp->packets, (jlong)rp->skipped, rp->last_ts_ns};
	(*env)->SetLongArrayRegion(env, progress, 0, 4, pr);
	return eof && fed == 0 ? -1 : fed;
}

JNIEXPORT jlong JNICALL Java_io_gatelens_collector_bpf_GatelensNative_captureOffset(JNIEnv *env,
										   jclass cls,
										   jlong hc)
{
	struct gl_replay *rp = (struct gl_replay *)(intptr_t)hc;
	return rp ? (jlong)gl_capture_offset(rp->cap) : 0;
}

JNIEXPORT jint JNICALL Java_io_gatelens_collector_bpf_GatelensNative_captureLinkType(JNIEnv *env,
										     jclass cls,
										     jlong hc)
{
	struct gl_replay *rp = (struct gl_replay *)(intptr_t)hc;
	return rp ? gl_capture_linktype(rp->cap) : -1;
}
