package io.gatelens.collector.bpf;

/**
 * A failure of the kernel side or of capture input, with a reason a caller can act on and the
 * libbpf/verifier log when there is one. Thrown by the native library and by the Java checks
 * that run before it (privileges, kernel version).
 */
public class CollectorException extends RuntimeException {
    /** What went wrong, in terms of what the user can do about it. */
    public enum Reason {
        NOT_PERMITTED, INTERFACE_NOT_FOUND, VERIFIER_REJECTED, KERNEL_TOO_OLD,
        ALREADY_ATTACHED, NOT_ATTACHED, CAPTURE_UNREADABLE, BAD_ARGUMENT, CLOSED, BPF_ERROR,
        NATIVE_LIBRARY
    }

    private final Reason reason;
    private final int errno;
    private final String log;

    public CollectorException(Reason reason, String message) {
        this(reason, 0, message, "");
    }

    public CollectorException(Reason reason, int errno, String message, String log) {
        super(message);
        this.reason = reason;
        this.errno = errno;
        this.log = log == null ? "" : log;
    }

    /** Called from gatelens.c through JNI. */
    CollectorException(String reason, int errno, String message, String log) {
        this(parse(reason), errno, message, log);
    }

    private static Reason parse(String name) {
        try {
            return Reason.valueOf(name);
        } catch (IllegalArgumentException e) {
            return Reason.BPF_ERROR;
        }
    }

    public Reason reason() {
        return reason;
    }

    public int errno() {
        return errno;
    }

    /** libbpf's messages for this call, including the verifier log when loading failed. */
    public String log() {
        return log;
    }

    @Override
    public String getMessage() {
        String m = super.getMessage();
        if (reason == Reason.VERIFIER_REJECTED && !log.isEmpty()) {
            // the end of the verifier log says why; the whole log can be megabytes
            String tail = log.length() > 4000 ? "…" + log.substring(log.length() - 4000) : log;
            return m + "\n" + tail;
        }
        return m;
    }
}
