package io.gatelens.collector.handshake;

import io.gatelens.collector.record.TlsChunkLayout;
import io.gatelens.collector.tls.ClientHello;
import io.gatelens.collector.tls.HandshakeMessage;
import io.gatelens.collector.tls.HandshakeReassembler;
import io.gatelens.collector.tls.Ja4;
import io.gatelens.collector.tls.ServerHello;
import io.gatelens.collector.tls.TlsParseException;
import io.gatelens.collector.tls.TlsVersions;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * TLS chunks (from the kernel, {@link TlsChunk}) → one {@link TlsHandshake} per connection.
 *
 * <p>Per connection (client and server address and port) and per direction, the chunks of a
 * hello's flight are laid out at their offset in the flight (seq − flight_seq), whatever order
 * they come in; the bytes contiguous from the flight's start are fed to the parsers' {@link
 * HandshakeReassembler} as they arrive, and the first whole message is parsed
 * ({@link ClientHello#parse}, {@link ServerHello#parse}). The record goes out:
 * <ul>
 *   <li>when the ServerHello is in (parsed or not; after a HelloRetryRequest, the next one);</li>
 *   <li>when the connection sent no chunk for the idle timeout ({@link #expire}): flagged
 *       NO_SERVER_HELLO — the kernel tells user space nothing of FIN/RST for TLS, so the
 *       collector's idle handling decides, as the idle sweep does for HTTP;</li>
 *   <li>when the table of pending connections is full and this one is the least recently
 *       active: flagged EVICTED ({@link #evictions()} counts them);</li>
 *   <li>at {@link #flush()} (the end of a capture).</li>
 * </ul>
 * A connection reported is remembered (as many as can be pending, least recently used first
 * out): a retransmission of one of its hellos is ignored whenever it comes, other late chunks
 * (a renegotiation's encrypted records) for the idle timeout; a hello after that starts a new
 * record (the 4-tuple is in use again). Bounded: at most {@code maxConnections} pending and as
 * many remembered; per direction at most {@code maxFlightBytes}
 * (≥ the kernel's {@link TlsChunkLayout#HELLO_MAX}) buffered, and only the bytes a chunk's own
 * flight declares; at most {@link #DEFAULT_MAX_BUFFERED_BYTES} (32 MiB) over all of them, past which
 * the least recently active connections are reported EVICTED. Every chunk field is untrusted: a chunk that does not fit its flight is cut to
 * it or ignored ({@link #chunksIgnored()}). Not thread-safe.
 */
public final class HandshakeAssembler {
    public static final int DEFAULT_MAX_CONNECTIONS = 65_536;
    /**
     * Bytes of hello flights buffered across all pending connections. A flight's buffer is sized by
     * the length its first chunk declares, which the sender chooses: without a total, 65,536
     * connections each declaring 8 KiB would hold a gigabyte.
     */
    public static final long DEFAULT_MAX_BUFFERED_BYTES = 32L << 20;

    private final Consumer<TlsHandshake> out;
    private final long idleTimeoutNs;
    private final int maxConnections;
    private final int maxFlightBytes;
    private final long maxBufferedBytes;
    private long bufferedBytes;
    private final LinkedHashMap<Key, Conn> pending = new LinkedHashMap<>(256, 0.75f, true);
    private final LinkedHashMap<Key, Done> reported = new LinkedHashMap<>(256, 0.75f, true);

    private long evictions;
    private long chunksIgnored;
    private long emitted;

    public HandshakeAssembler(long idleTimeoutNs, Consumer<TlsHandshake> out) {
        this(idleTimeoutNs, DEFAULT_MAX_CONNECTIONS, TlsChunkLayout.HELLO_MAX, out);
    }

    /**
     * @param idleTimeoutNs  a connection without a chunk this long is reported (kernel clock ns)
     * @param maxConnections pending connections kept; the least recently active is reported
     *                       (EVICTED) to make room
     * @param maxFlightBytes bytes buffered per direction; a longer flight is TRUNCATED
     */
    public HandshakeAssembler(long idleTimeoutNs, int maxConnections, int maxFlightBytes, Consumer<TlsHandshake> out) {
        this(idleTimeoutNs, maxConnections, maxFlightBytes, DEFAULT_MAX_BUFFERED_BYTES, out);
    }

    /**
     * @param maxBufferedBytes flight bytes buffered over all pending connections; past it the least
     *                         recently active connections are reported (EVICTED) to make room
     */
    public HandshakeAssembler(long idleTimeoutNs, int maxConnections, int maxFlightBytes, long maxBufferedBytes,
                              Consumer<TlsHandshake> out) {
        if (idleTimeoutNs <= 0 || maxConnections < 1 || maxFlightBytes < 16 || maxBufferedBytes < 2L * maxFlightBytes) {
            throw new IllegalArgumentException("idle timeout, max connections and max flight bytes must be positive,"
                + " and the buffered bytes at least two flights");
        }
        this.maxBufferedBytes = maxBufferedBytes;
        this.idleTimeoutNs = idleTimeoutNs;
        this.maxConnections = maxConnections;
        this.maxFlightBytes = maxFlightBytes;
        this.out = Objects.requireNonNull(out, "out");
    }

    /** Connections reported early because the pending table was full. */
    public long evictions() {
        return evictions;
    }

    /** Chunks that could not be used: outside their flight, of a connection already reported, of a spent flight. */
    public long chunksIgnored() {
        return chunksIgnored;
    }

    public long emitted() {
        return emitted;
    }

    public int pendingConnections() {
        return pending.size();
    }

    /** Flight bytes buffered by the pending connections (at most the configured total). */
    public long bufferedBytes() {
        return bufferedBytes;
    }

    /** One chunk; clockOffsetNs turns its kernel time into epoch ns (live: monotonic → wall clock; offline: 0). */
    public void accept(TlsChunk c, long clockOffsetNs) {
        int side = c.hsType() == 1 ? 0 : c.hsType() == 2 ? 1 : -1;
        if (side < 0 || c.data().length == 0) {
            chunksIgnored++;
            return;
        }
        Key key = new Key(c.clientAddr(), c.clientPort(), c.serverAddr(), c.serverPort());
        Done done = reported.get(key);
        if (done != null) {
            if (c.flightSeq() == done.flightSeq[side] || c.tsNs() - done.atNs <= idleTimeoutNs) {
                chunksIgnored++; // a retransmitted hello of a connection already reported, or a late chunk
                return;
            }
            reported.remove(key); // another hello after the idle timeout: the 4-tuple is in use again
        }
        Conn conn = pending.get(key);
        if (conn == null) {
            if (pending.size() >= maxConnections) {
                Iterator<Map.Entry<Key, Conn>> oldest = pending.entrySet().iterator();
                Conn victim = oldest.next().getValue();
                oldest.remove();
                evictions++;
                report(victim, TlsHandshake.FLAG_EVICTED, c.tsNs());
            }
            conn = new Conn(key, c, clockOffsetNs);
            pending.put(key, conn);
        }
        conn.lastNs = Math.max(conn.lastNs, c.tsNs());
        if (side == 0 && conn.direction == 0 && c.direction() != 0) {
            conn.direction = c.direction(); // the ClientHello's view of the connection wins
            conn.ifindex = c.ifindex();
        }
        Flight f = conn.sides[side];
        if (f == null || (f.flightSeq != c.flightSeq() && f.mayRestart(side))) {
            if (f != null && side == 1 && f.serverHello != null && f.serverHello.helloRetryRequest()) {
                conn.helloRetry = true;
            }
            if (f != null) {
                bufferedBytes -= f.length;
            }
            f = new Flight(c, maxFlightBytes);
            conn.sides[side] = f;
            bufferedBytes += f.length;
            makeRoom(conn, c.tsNs());
        } else if (f.flightSeq != c.flightSeq() || f.finished()) {
            chunksIgnored++; // another hello after the one we keep, or a copy of one we have
            return;
        }
        if (!f.add(c)) {
            chunksIgnored++;
        }
        if (side == 1 && f.finished() && !(f.serverHello != null && f.serverHello.helloRetryRequest())) {
            pending.remove(key);
            report(conn, 0, conn.lastNs);
        }
    }

    /** Reports the least recently active connections other than keep (EVICTED) until the buffered bytes fit. */
    private void makeRoom(Conn keep, long nowNs) {
        Iterator<Map.Entry<Key, Conn>> it = pending.entrySet().iterator();
        while (bufferedBytes > maxBufferedBytes && it.hasNext()) {
            Conn victim = it.next().getValue();
            if (victim == keep) {
                continue;
            }
            it.remove();
            evictions++;
            report(victim, TlsHandshake.FLAG_EVICTED, nowNs);
        }
    }

    /** Reports (NO_SERVER_HELLO) every connection without a chunk for the idle timeout before nowNs (kernel clock). */
    public void expire(long nowNs) {
        Iterator<Map.Entry<Key, Conn>> it = pending.entrySet().iterator();
        while (it.hasNext()) {
            Conn c = it.next().getValue();
            if (nowNs - c.lastNs <= idleTimeoutNs) {
                break; // access order: the rest were active more recently
            }
            it.remove();
            report(c, 0, nowNs);
        }
    }

    /** Reports every pending connection (the end of a capture). */
    public void flush() {
        for (Conn c : pending.values().toArray(Conn[]::new)) {
            report(c, 0, c.lastNs);
        }
        pending.clear();
        bufferedBytes = 0;
    }

    /**
     * Hands c's record out. The connection is remembered (as many as are pending at most): its
     * hellos' retransmissions are ignored whenever they come, other chunks for the idle timeout
     * from atNs (kernel clock).
     */
    private void report(Conn c, int extraFlags, long atNs) {
        for (Flight f : c.sides) {
            if (f != null) {
                bufferedBytes -= f.length;
            }
        }
        reported.put(c.key, new Done(Math.max(atNs, c.lastNs),
                c.sides[0] == null ? -1 : c.sides[0].flightSeq, c.sides[1] == null ? -1 : c.sides[1].flightSeq));
        while (reported.size() > maxConnections) {
            Iterator<Key> it = reported.keySet().iterator();
            it.next();
            it.remove();
        }
        Flight ch = c.sides[0];
        Flight sh = c.sides[1];
        int flags = extraFlags;
        if (c.helloRetry) {
            flags |= TlsHandshake.FLAG_HELLO_RETRY;
        }
        ClientHello hello = null;
        if (ch == null) {
            flags |= TlsHandshake.FLAG_NO_CLIENT_HELLO;
        } else {
            hello = ch.clientHello;
            flags |= ch.failureFlag(TlsHandshake.FLAG_CLIENT_HELLO_UNPARSEABLE);
        }
        ServerHello server = null;
        if (sh == null || (sh.serverHello != null && sh.serverHello.helloRetryRequest())) {
            flags |= TlsHandshake.FLAG_NO_SERVER_HELLO;
        } else {
            server = sh.serverHello;
            flags |= sh.failureFlag(TlsHandshake.FLAG_SERVER_HELLO_UNPARSEABLE);
        }
        String ja4 = null, ja4Raw = null;
        if (hello != null) {
            ja4 = Ja4.fingerprint(hello);
            ja4Raw = Ja4.raw(hello);
        }
        Long handshakeNs = null;
        if (ch != null && sh != null && ch.firstTsNs >= 0 && sh.firstTsNs >= 0 && server != null) {
            handshakeNs = Math.max(0, sh.firstTsNs - ch.firstTsNs);
        }
        long start = ch != null && ch.firstTsNs >= 0 ? ch.firstTsNs : c.firstNs;
        Key k = c.key;
        out.accept(new TlsHandshake(start + c.clockOffsetNs, k.client, k.clientPort, k.server, k.serverPort,
                c.family, c.direction, c.ifindex,
                hello == null ? null : TlsHandshake.escape(hello.sni()),
                hello == null ? null : TlsHandshake.versions(hello.supportedVersions()),
                hello == null ? null : TlsHandshake.alpn(hello.alpn()),
                hello == null ? null : TlsHandshake.hex(hello.cipherSuites()),
                hello == null ? null : TlsHandshake.decimal(hello.extensionTypes()),
                hello == null ? null : TlsHandshake.hex(hello.signatureAlgorithms()),
                ja4, ja4Raw,
                hello == null ? null : TlsVersions.name(hello.recordVersion()),
                hello == null ? null : TlsVersions.name(hello.legacyVersion()),
                server == null ? null : TlsVersions.name(server.selectedVersion()),
                server == null ? null : String.format("0x%04x", server.cipherSuite()),
                server == null || server.alpn() == null ? null : TlsHandshake.escape(server.alpn()),
                handshakeNs, flags));
        emitted++;
    }

    /** A reported connection: when, and the flights its record was made of. */
    private static final class Done {
        final long atNs;
        final long[] flightSeq;

        Done(long atNs, long clientFlight, long serverFlight) {
            this.atNs = atNs;
            this.flightSeq = new long[] {clientFlight, serverFlight};
        }
    }

    /** Client address and port, server address and port. */
    private record Key(byte[] client, int clientPort, byte[] server, int serverPort) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && clientPort == k.clientPort && serverPort == k.serverPort
                    && Arrays.equals(client, k.client) && Arrays.equals(server, k.server);
        }

        @Override
        public int hashCode() {
            return (Arrays.hashCode(client) * 31 + Arrays.hashCode(server)) * 31 + clientPort * 65_537 + serverPort;
        }
    }

    private static final class Conn {
        final Key key;
        final int family;
        final long clockOffsetNs;
        final long firstNs;
        int direction;
        int ifindex;
        long lastNs;
        boolean helloRetry;
        final Flight[] sides = new Flight[2]; // 0: the client's ClientHello, 1: the server's ServerHello

        Conn(Key key, TlsChunk first, long clockOffsetNs) {
            this.key = key;
            this.family = first.family();
            this.clockOffsetNs = clockOffsetNs;
            this.firstNs = first.tsNs();
            this.lastNs = first.tsNs();
            this.direction = first.direction();
            this.ifindex = first.ifindex();
        }
    }

    /** One direction's hello flight: its bytes by offset, fed to the reassembler in order. */
    private static final class Flight {
        final long flightSeq;
        final int length;      // bytes kept of the flight (its declared length, capped)
        final boolean cut;     // the flight is longer than what is kept
        final byte[] bytes;
        final BitSet have;
        final HandshakeReassembler reassembler;
        int fed;               // bytes [0, fed) went to the reassembler
        long firstTsNs = -1;   // time of the chunk holding the flight's first byte
        boolean unparseable;
        boolean tooLarge;
        ClientHello clientHello;
        ServerHello serverHello;

        Flight(TlsChunk c, int maxBytes) {
            this.flightSeq = c.flightSeq();
            int declared = Math.max(0, c.flightLen());
            this.length = Math.min(declared, maxBytes);
            this.cut = declared > maxBytes || c.has(TlsChunkLayout.FLAG_CUT);
            this.bytes = new byte[length];
            this.have = new BitSet(length);
            this.reassembler = new HandshakeReassembler(1, Math.max(16, maxBytes));
        }

        /** A new flight may replace this one: it has no result, or asked for a retry. */
        boolean mayRestart(int side) {
            if (side == 1 && serverHello != null) {
                return serverHello.helloRetryRequest();
            }
            return clientHello == null && serverHello == null;
        }

        boolean finished() {
            return clientHello != null || serverHello != null || unparseable || tooLarge;
        }

        /** Adds a chunk's bytes; false when none of them lie inside the flight. */
        boolean add(TlsChunk c) {
            long off = c.flightOffset();
            if (off == 0 && firstTsNs < 0) {
                firstTsNs = c.tsNs();
            }
            if (off >= length) {
                return false;
            }
            int n = (int) Math.min(c.data().length, length - off);
            System.arraycopy(c.data(), 0, bytes, (int) off, n);
            have.set((int) off, (int) off + n);
            int contiguous = have.nextClearBit(fed);
            if (contiguous > fed && !finished()) {
                HandshakeReassembler.State s = reassembler.feed(bytes, fed, contiguous - fed);
                fed = contiguous;
                conclude(s);
            }
            return true;
        }

        private void conclude(HandshakeReassembler.State s) {
            if (reassembler.first().isPresent()) {
                HandshakeMessage m = reassembler.first().get();
                try {
                    if (m.type() == HandshakeMessage.CLIENT_HELLO) {
                        clientHello = ClientHello.parse(m);
                    } else if (m.type() == HandshakeMessage.SERVER_HELLO) {
                        serverHello = ServerHello.parse(m);
                    } else {
                        unparseable = true;
                    }
                } catch (TlsParseException e) {
                    unparseable = true;
                }
            } else if (s == HandshakeReassembler.State.NOT_TLS || s == HandshakeReassembler.State.MALFORMED) {
                unparseable = true;
            } else if (s == HandshakeReassembler.State.TOO_LARGE) {
                tooLarge = true; // longer than what is kept: TRUNCATED
            } // NEEDS_MORE: bytes are missing, TRUNCATED unless more come
        }

        /** The flags this side adds to its record. */
        int failureFlag(int unparseableFlag) {
            if (clientHello != null || serverHello != null) {
                return 0;
            }
            if (unparseable) {
                return unparseableFlag;
            }
            return TlsHandshake.FLAG_TRUNCATED; // bytes are missing (lost, cut, or never came)
        }
    }
}
