package io.gatelens.collector.tls;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Rebuilds the first handshake messages of one direction of one TCP connection from its byte
 * stream: TLS records (RFC 8446 §5.1) are unwrapped, and handshake messages split across
 * records and across TCP segments are joined. Feed the stream in order from the first byte of
 * the flight; the caller orders segments by sequence number.
 *
 * <p>It stops as soon as it has the messages it was asked for (one by default: the
 * ClientHello, or the ServerHello) and ignores everything after, such as a Certificate, or the
 * ChangeCipherSpec and encrypted records that follow a TLS 1.3 ServerHello. It also stops,
 * {@link State#COMPLETE}, when a record of another content type ends the cleartext handshake
 * after at least one whole message.
 *
 * <p>The bytes are attacker-controlled. Nothing is read outside the slice given to
 * {@link #feed}; it keeps at most {@code maxBytes} bytes of handshake data in all and grows its
 * buffer only as bytes arrive, so a length field that promises megabytes allocates nothing;
 * bad input ends in a {@link State}, never in an exception. Not thread-safe.
 */
public final class HandshakeReassembler {

    public enum State {
        /** No verdict yet: the messages asked for are not all in. At the end of input: truncated. */
        NEEDS_MORE,
        /** {@link #messages()} holds what was asked for; later bytes are ignored. */
        COMPLETE,
        /** The stream does not start with a TLS handshake record (HTTP, SSH, SSLv2, an alert…). */
        NOT_TLS,
        /** It started as TLS, then a record header or the record sequence lied. See {@link #problem()}. */
        MALFORMED,
        /** The messages asked for would need more than {@code maxBytes} of handshake data. */
        TOO_LARGE
    }

    public static final int CONTENT_TYPE_HANDSHAKE = 22;
    /** TLSCiphertext may reach 2^14 + 256 (RFC 8446 §5.2), TLS 1.2's 2^14 + 2048 (RFC 5246 §6.2.3). */
    public static final int MAX_RECORD_LENGTH = (1 << 14) + 2048;
    /** A ClientHello is a few KB even with post-quantum key shares; a server flight with certificates fits too. */
    public static final int DEFAULT_MAX_BYTES = 64 * 1024;

    private static final int RECORD_HEADER_BYTES = 5;
    private static final int MESSAGE_HEADER_BYTES = 4;

    private final int messagesWanted;
    private final int maxBytes;
    private final List<HandshakeMessage> messages = new ArrayList<>(1);

    private State state = State.NEEDS_MORE;
    private String problem;

    private final byte[] recordHeader = new byte[RECORD_HEADER_BYTES];
    private int recordHeaderFill;
    private boolean firstRecord = true;
    private int recordVersion;
    private int recordBytesLeft;

    // Handshake data: the payloads of the handshake records, concatenated.
    private byte[] kept = new byte[0];
    private int keptLength;
    private int messageStart;
    private int messageRecordVersion = -1; // of the record holding messageStart; -1 before it arrives

    /** Waits for the first handshake message, keeping at most {@link #DEFAULT_MAX_BYTES}. */
    public HandshakeReassembler() {
        this(1, DEFAULT_MAX_BYTES);
    }

    /**
     * Waits for the first {@code messagesWanted} handshake messages (e.g. 4 for a TLS 1.2
     * server's ServerHello, Certificate, ServerKeyExchange, ServerHelloDone), keeping at most
     * {@code maxBytes} of handshake data.
     */
    public HandshakeReassembler(int messagesWanted, int maxBytes) {
        if (messagesWanted < 1) {
            throw new IllegalArgumentException("messagesWanted " + messagesWanted + " < 1");
        }
        if (maxBytes < MESSAGE_HEADER_BYTES) {
            throw new IllegalArgumentException("maxBytes " + maxBytes + " cannot hold a message header");
        }
        this.messagesWanted = messagesWanted;
        this.maxBytes = maxBytes;
    }

    /**
     * The next bytes of the stream, {@code len} bytes of {@code tcpPayload} from {@code off}.
     * Returns the state after them; once the state is no longer {@link State#NEEDS_MORE}, later
     * calls change nothing. An {@code off}/{@code len} outside the array is the caller's bug
     * and throws {@link IndexOutOfBoundsException} before any byte is read.
     */
    public State feed(byte[] tcpPayload, int off, int len) {
        Objects.checkFromIndexSize(off, len, tcpPayload.length);
        int position = off;
        int end = off + len;
        while (position < end && state == State.NEEDS_MORE) {
            if (recordBytesLeft == 0) {
                int take = Math.min(RECORD_HEADER_BYTES - recordHeaderFill, end - position);
                System.arraycopy(tcpPayload, position, recordHeader, recordHeaderFill, take);
                recordHeaderFill += take;
                position += take;
                checkRecordHeader();
            } else {
                int take = Math.min(recordBytesLeft, end - position);
                recordBytesLeft -= take;
                keep(tcpPayload, position, take);
                position += take;
            }
        }
        return state;
    }

    public State state() {
        return state;
    }

    /** Why the state is NOT_TLS, MALFORMED or TOO_LARGE; null otherwise. */
    public String problem() {
        return problem;
    }

    /** The first handshake message once it is whole (it may arrive before the state is COMPLETE). */
    public Optional<HandshakeMessage> first() {
        return messages.isEmpty() ? Optional.empty() : Optional.of(messages.get(0));
    }

    /** The whole handshake messages so far, in stream order, at most the number asked for. */
    public List<HandshakeMessage> messages() {
        return List.copyOf(messages);
    }

    /** Checks the record header bytes that have arrived; on the fifth, starts the record. */
    private void checkRecordHeader() {
        int contentType = recordHeader[0] & 0xff;
        if (contentType != CONTENT_TYPE_HANDSHAKE) {
            if (firstRecord) {
                fail(State.NOT_TLS, String.format("first byte 0x%02x is not a TLS handshake record", contentType));
            } else if (!messages.isEmpty() && messageStart == keptLength) {
                state = State.COMPLETE; // e.g. ChangeCipherSpec after a TLS 1.3 ServerHello
            } else {
                fail(State.MALFORMED, "a record of content type " + contentType
                        + " interrupts a handshake message (RFC 8446 §5.1 forbids interleaving)");
            }
            return;
        }
        if (recordHeaderFill >= 3) {
            int major = recordHeader[1] & 0xff;
            int minor = recordHeader[2] & 0xff;
            if (major != 3 || minor > 4) {
                String what = String.format("record version 0x%02x%02x is not 0x0300..0x0304", major, minor);
                fail(firstRecord ? State.NOT_TLS : State.MALFORMED, what);
                return;
            }
        } else if (recordHeaderFill == 2 && (recordHeader[1] & 0xff) != 3) {
            String what = String.format("record version major byte 0x%02x is not 3", recordHeader[1] & 0xff);
            fail(firstRecord ? State.NOT_TLS : State.MALFORMED, what);
            return;
        }
        if (recordHeaderFill < RECORD_HEADER_BYTES) {
            return;
        }
        int length = (recordHeader[3] & 0xff) << 8 | (recordHeader[4] & 0xff);
        if (length == 0 || length > MAX_RECORD_LENGTH) {
            // RFC 8446 §5.1: zero-length handshake fragments MUST NOT be sent
            fail(State.MALFORMED, "handshake record length " + length + " is not 1.." + MAX_RECORD_LENGTH);
            return;
        }
        firstRecord = false;
        recordVersion = (recordHeader[1] & 0xff) << 8 | (recordHeader[2] & 0xff);
        recordBytesLeft = length;
        recordHeaderFill = 0;
    }

    /** Appends record payload bytes (at least one) and cuts out the messages that became whole. */
    private void keep(byte[] source, int from, int count) {
        int room = maxBytes - keptLength;
        int taken = Math.min(count, room);
        if (keptLength + taken > kept.length) {
            // doubling, but never past the cap nor past twice what has arrived
            int capacity = Math.min(maxBytes, Math.max(keptLength + taken, kept.length * 2));
            kept = Arrays.copyOf(kept, capacity);
        }
        System.arraycopy(source, from, kept, keptLength, taken);
        keptLength += taken;
        if (messageRecordVersion < 0) {
            messageRecordVersion = recordVersion; // the pending message's first byte is in this record
        }
        cutMessages();
        if (state == State.NEEDS_MORE && taken < count) {
            fail(State.TOO_LARGE, "more than " + maxBytes + " bytes of handshake data before "
                    + messagesWanted + " whole message(s)");
        }
    }

    private void cutMessages() {
        while (messages.size() < messagesWanted && keptLength - messageStart >= MESSAGE_HEADER_BYTES) {
            int type = kept[messageStart] & 0xff;
            int length = (kept[messageStart + 1] & 0xff) << 16 | (kept[messageStart + 2] & 0xff) << 8
                    | (kept[messageStart + 3] & 0xff);
            long messageEnd = (long) messageStart + MESSAGE_HEADER_BYTES + length;
            if (messageEnd > maxBytes) {
                fail(State.TOO_LARGE, "handshake message of type " + type + " declares " + length
                        + " bytes; at most " + maxBytes + " bytes of handshake data are kept");
                return;
            }
            if (messageEnd > keptLength) {
                return;
            }
            byte[] body = Arrays.copyOfRange(kept, messageStart + MESSAGE_HEADER_BYTES, (int) messageEnd);
            messages.add(new HandshakeMessage(type, body, messageRecordVersion));
            messageStart = (int) messageEnd;
            // the next message starts in the record being read, or in the next one
            messageRecordVersion = messageStart < keptLength ? recordVersion : -1;
        }
        if (messages.size() == messagesWanted) {
            state = State.COMPLETE;
            kept = null; // what follows is ignored; let the buffer go
        }
    }

    private void fail(State failure, String why) {
        state = failure;
        problem = why;
        kept = null;
    }
}
