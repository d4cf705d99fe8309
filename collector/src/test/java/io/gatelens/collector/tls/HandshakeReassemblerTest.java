package io.gatelens.collector.tls;

import static io.gatelens.collector.tls.HandshakeReassembler.State.COMPLETE;
import static io.gatelens.collector.tls.HandshakeReassembler.State.MALFORMED;
import static io.gatelens.collector.tls.HandshakeReassembler.State.NEEDS_MORE;
import static io.gatelens.collector.tls.HandshakeReassembler.State.NOT_TLS;
import static io.gatelens.collector.tls.HandshakeReassembler.State.TOO_LARGE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.gatelens.collector.tls.HandshakeReassembler.State;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class HandshakeReassemblerTest {
    private static final int HANDSHAKE = 22;
    private static final int CHANGE_CIPHER_SPEC = 20;
    private static final int ALERT = 21;

    private static JdkTls.Handshake tls13;
    private static JdkTls.Handshake tls12;

    @BeforeAll
    static void handshakes() throws Exception {
        tls13 = JdkTls.handshake(new JdkTls.ClientConfig(List.of(JdkTls.TLS_1_3, JdkTls.TLS_1_2), "api.example.com",
                List.of("h2")));
        tls12 = JdkTls.handshake(new JdkTls.ClientConfig(List.of(JdkTls.TLS_1_2), "api.example.com", List.of("h2")));
    }

    /** The state after the stream was fed, and the messages it gave. */
    record Outcome(State state, List<HandshakeMessage> messages) {}

    static Stream<JdkTls.ClientConfig> configurations() {
        return JdkTls.configurations().stream();
    }

    @ParameterizedTest
    @MethodSource("configurations")
    void aJdkClientHelloRecordIsOneWholeClientHello(JdkTls.ClientConfig config) throws Exception {
        byte[] records = JdkTls.clientHello(config);
        Outcome outcome = feed(new HandshakeReassembler(), records, 0, records.length);

        assertEquals(COMPLETE, outcome.state());
        HandshakeMessage hello = outcome.messages().get(0);
        assertEquals(HandshakeMessage.CLIENT_HELLO, hello.type());
        assertEquals((records[1] & 0xff) << 8 | (records[2] & 0xff), hello.recordVersion());
        // the JDK sends its hello in one record: 5 bytes of record header, 4 of handshake header
        assertArrayEquals(Arrays.copyOfRange(records, 9, records.length), hello.body());
    }

    @ParameterizedTest
    @MethodSource("configurations")
    void aClientHelloSplitIntoTwoFeedsAtEveryPositionGivesTheSameMessage(JdkTls.ClientConfig config)
            throws Exception {
        byte[] records = JdkTls.clientHello(config);
        Outcome whole = feed(new HandshakeReassembler(), records, 0, records.length);
        // poison around the slice: a read outside it would change the result
        byte[] padded = new byte[records.length + 14];
        Arrays.fill(padded, (byte) HANDSHAKE);
        System.arraycopy(records, 0, padded, 7, records.length);
        for (int cut = 0; cut <= records.length; cut++) {
            assertEquals(whole, feed(new HandshakeReassembler(), padded, 7, 7 + cut, 7 + records.length),
                    "split at " + cut);
        }
    }

    @ParameterizedTest
    @MethodSource("configurations")
    void aClientHelloSplitIntoThreeFeedsAtEveryPairOfPositionsGivesTheSameMessage(JdkTls.ClientConfig config)
            throws Exception {
        byte[] records = JdkTls.clientHello(config);
        Outcome whole = feed(new HandshakeReassembler(), records, 0, records.length);
        for (int first = 0; first <= records.length; first++) {
            for (int second = first; second <= records.length; second++) {
                Outcome split = feed(new HandshakeReassembler(), records, 0, first, second, records.length);
                if (!whole.equals(split)) {
                    fail("split at " + first + " and " + second + ": " + split + " instead of " + whole);
                }
            }
        }
    }

    @Test
    void aClientHelloCutIntoRecordsOfEverySizeGivesTheSameMessage() throws Exception {
        byte[] records = JdkTls.clientHello(JdkTls.configurations().get(0));
        HandshakeMessage whole = feed(new HandshakeReassembler(), records, 0, records.length).messages().get(0);
        byte[] handshake = HelloBytes.handshake(whole.type(), whole.body());
        for (int fragment = 1; fragment <= handshake.length; fragment++) {
            byte[] reRecorded = HelloBytes.records(HANDSHAKE, whole.recordVersion(), handshake, fragment);
            Outcome outcome = feed(new HandshakeReassembler(), reRecorded, 0, reRecorded.length / 2, reRecorded.length);
            assertEquals(new Outcome(COMPLETE, List.of(whole)), outcome, "records of " + fragment + " bytes");
        }
    }

    /** X25519MLKEM768 (1184 + 32 bytes) and X25519 key shares, GREASE ECH: a 1.7 KB hello, as Chrome's. */
    @Test
    void aPostQuantumSizedClientHelloOverTwoSegmentsIsWhole() throws Exception {
        byte[] keyShares = HelloBytes.vector16(HelloBytes.concat(
                HelloBytes.u16s(0x11ec, 1184 + 32), new byte[1184 + 32],
                HelloBytes.u16s(0x001d, 32), new byte[32]));
        byte[] body = HelloBytes.clientHello().cipherSuites(0x1301, 0x1302).sni("api.example.com")
                .supportedVersions(0x0304).extension(0x0033, keyShares).extension(0xfe0d, new byte[282]).body();
        byte[] records = HelloBytes.records(HANDSHAKE, 0x0301, HelloBytes.handshake(1, body), 1 << 14);
        assertTrue(records.length > 1448, "more than one segment");

        Outcome outcome = feed(new HandshakeReassembler(), records, 0, 1448, records.length);

        assertEquals(COMPLETE, outcome.state());
        ClientHello hello = ClientHello.parse(outcome.messages().get(0));
        assertEquals(List.of(0x0000, 0x002b, 0x0033, 0xfe0d), hello.extensionTypes());
        assertEquals("api.example.com", hello.sni());
    }

    @Test
    void aTls13ServerFlightStopsAfterTheServerHelloAndIgnoresTheChangeCipherSpecAndEncryptedRecords() {
        byte[] flight = tls13.serverToClient();
        int serverHelloRecordEnd = 5 + ((flight[3] & 0xff) << 8 | (flight[4] & 0xff));
        assertEquals(CHANGE_CIPHER_SPEC, flight[serverHelloRecordEnd], "the JDK server sends a compatibility CCS");

        Outcome outcome = feed(new HandshakeReassembler(), flight, 0, flight.length);

        assertEquals(COMPLETE, outcome.state());
        assertEquals(1, outcome.messages().size());
        assertEquals(HandshakeMessage.SERVER_HELLO, outcome.messages().get(0).type());
    }

    @Test
    void askingATls13ServerForMoreMessagesEndsAtTheChangeCipherSpecWithTheServerHello() {
        byte[] flight = tls13.serverToClient();
        Outcome outcome = feed(new HandshakeReassembler(3, HandshakeReassembler.DEFAULT_MAX_BYTES), flight, 0,
                flight.length);

        assertEquals(COMPLETE, outcome.state());
        assertEquals(List.of(HandshakeMessage.SERVER_HELLO), types(outcome.messages()));
    }

    @Test
    void aTls12ServerFlightGivesServerHelloCertificateServerKeyExchangeAndServerHelloDone() {
        byte[] flight = tls12.serverToClient();
        Outcome outcome = feed(new HandshakeReassembler(4, HandshakeReassembler.DEFAULT_MAX_BYTES), flight, 0,
                flight.length);

        assertEquals(COMPLETE, outcome.state());
        assertEquals(List.of(2, 11, 12, 14), types(outcome.messages()));
    }

    @Test
    void serverFlightsSplitIntoTwoAndThreeFeedsGiveTheSameMessages() {
        for (JdkTls.Handshake handshake : List.of(tls13, tls12)) {
            byte[] flight = handshake.serverToClient();
            int wanted = handshake == tls12 ? 4 : 1;
            Outcome whole = feed(new HandshakeReassembler(wanted, 1 << 16), flight, 0, flight.length);
            int span = lengthUntilComplete(flight, wanted);
            for (int first = 0; first <= span; first++) {
                assertEquals(whole, feed(new HandshakeReassembler(wanted, 1 << 16), flight, 0, first, flight.length));
                for (int second = first; second <= span; second++) {
                    Outcome split = feed(new HandshakeReassembler(wanted, 1 << 16), flight, 0, first, second,
                            flight.length);
                    if (!whole.equals(split)) {
                        fail(handshake.protocol() + " split at " + first + " and " + second + ": " + split);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("configurations")
    void everyPrefixOfAClientHelloNeedsMore(JdkTls.ClientConfig config) throws Exception {
        byte[] records = JdkTls.clientHello(config);
        for (int length = 0; length < records.length; length++) {
            HandshakeReassembler reassembler = new HandshakeReassembler();
            assertEquals(NEEDS_MORE, reassembler.feed(records, 0, length), "prefix of " + length + " bytes");
            assertTrue(reassembler.first().isEmpty());
        }
    }

    @Test
    void anHttpRequestIsNotTls() {
        byte[] request = "GET / HTTP/1.1\r\nHost: api.example.com\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        HandshakeReassembler whole = new HandshakeReassembler();
        assertEquals(NOT_TLS, whole.feed(request, 0, request.length));
        assertTrue(whole.problem().contains("0x47"), whole.problem());

        HandshakeReassembler byByte = new HandshakeReassembler();
        assertEquals(NOT_TLS, byByte.feed(request, 0, 1), "the first byte decides");
    }

    @Test
    void otherFirstRecordsAreNotTls() {
        byte[] sslv2Hello = {(byte) 0x80, 0x2e, 0x01, 0x03, 0x01};
        byte[] alert = {ALERT, 3, 3, 0, 2, 2, 40};
        byte[] handshakeTypeButNoTlsVersion = {HANDSHAKE, 'E', 'T', ' ', '/'};
        byte[] tooNewRecordVersion = {HANDSHAKE, 3, 5, 0, 4, 1, 0, 0, 0};
        for (byte[] stream : List.of(sslv2Hello, alert, handshakeTypeButNoTlsVersion, tooNewRecordVersion)) {
            assertEquals(NOT_TLS, new HandshakeReassembler().feed(stream, 0, stream.length), Arrays.toString(stream));
        }
    }

    @Test
    void lyingRecordLengthsAreMalformed() {
        byte[] zeroLength = {HANDSHAKE, 3, 1, 0, 0};
        byte[] overMax = {HANDSHAKE, 3, 1, (byte) 0x48, 0x01}; // 2^14 + 2048 + 1
        for (byte[] stream : List.of(zeroLength, overMax)) {
            HandshakeReassembler reassembler = new HandshakeReassembler();
            assertEquals(MALFORMED, reassembler.feed(stream, 0, stream.length));
            assertTrue(reassembler.problem().contains("record length"), reassembler.problem());
        }
        byte[] atMax = {HANDSHAKE, 3, 1, (byte) 0x48, 0x00, 1, 0, 0};
        assertEquals(NEEDS_MORE, new HandshakeReassembler().feed(atMax, 0, atMax.length));
    }

    @Test
    void aSecondRecordWithABadVersionOrLengthIsMalformed() {
        byte[] hello = HelloBytes.handshake(1, HelloBytes.clientHello().cipherSuites(0x1301).body());
        byte[] firstHalf = HelloBytes.records(HANDSHAKE, 0x0301, Arrays.copyOf(hello, 10), 10);
        for (byte[] second : List.of(new byte[] {HANDSHAKE, 4, 1, 0, 1}, new byte[] {HANDSHAKE, 3, 9, 0, 1},
                new byte[] {HANDSHAKE, 3, 3, 0, 0})) {
            byte[] stream = HelloBytes.concat(firstHalf, second);
            assertEquals(MALFORMED, new HandshakeReassembler().feed(stream, 0, stream.length), Arrays.toString(second));
        }
    }

    @Test
    void aRecordOfAnotherTypeInsideAHandshakeMessageIsMalformed() {
        byte[] hello = HelloBytes.handshake(1, HelloBytes.clientHello().cipherSuites(0x1301).body());
        byte[] stream = HelloBytes.concat(
                HelloBytes.records(HANDSHAKE, 0x0301, Arrays.copyOf(hello, 20), 20),
                HelloBytes.records(CHANGE_CIPHER_SPEC, 0x0303, new byte[] {1}, 1),
                HelloBytes.records(HANDSHAKE, 0x0301, Arrays.copyOfRange(hello, 20, hello.length), 1000));
        HandshakeReassembler reassembler = new HandshakeReassembler();
        assertEquals(MALFORMED, reassembler.feed(stream, 0, stream.length));
        assertTrue(reassembler.problem().contains("interrupts"), reassembler.problem());
    }

    @Test
    void seventyThousandBytesOfOneHandshakeMessageAreTooLargeAsSoonAsItsLengthArrives() {
        byte[] body = new byte[70_000 - 4];
        byte[] stream = HelloBytes.records(HANDSHAKE, 0x0303, HelloBytes.handshake(1, body), 1 << 14);
        HandshakeReassembler reassembler = new HandshakeReassembler();
        assertEquals(TOO_LARGE, reassembler.feed(stream, 0, 9)); // record header + handshake header
        assertEquals(TOO_LARGE, reassembler.feed(stream, 9, stream.length - 9));
        assertTrue(reassembler.first().isEmpty());
    }

    @Test
    void seventyThousandBytesOfSmallHandshakeMessagesAreTooLargeWhenMoreAreWanted() {
        byte[] message = HelloBytes.handshake(11, new byte[996]);
        byte[] payload = new byte[70 * message.length];
        for (int i = 0; i < 70; i++) {
            System.arraycopy(message, 0, payload, i * message.length, message.length);
        }
        byte[] stream = HelloBytes.records(HANDSHAKE, 0x0303, payload, 1 << 14);

        HandshakeReassembler reassembler = new HandshakeReassembler(100, HandshakeReassembler.DEFAULT_MAX_BYTES);
        assertEquals(TOO_LARGE, reassembler.feed(stream, 0, stream.length));
        assertTrue(reassembler.problem().contains("65536"), reassembler.problem());
        assertEquals(65, reassembler.messages().size(), "the 65 messages that fit in 64 KiB");

        HandshakeReassembler firstOnly = new HandshakeReassembler();
        assertEquals(COMPLETE, firstOnly.feed(stream, 0, stream.length), "one 1000-byte message fits");
    }

    @Test
    void aMessageDeclaringSixteenMegabytesIsTooLargeWithoutWaiting() {
        byte[] stream = {HANDSHAKE, 3, 3, 0, 4, 1, (byte) 0xff, (byte) 0xff, (byte) 0xff};
        assertEquals(TOO_LARGE, new HandshakeReassembler().feed(stream, 0, stream.length));
    }

    @Test
    void eachMessageCarriesTheVersionOfTheRecordItStartsIn() {
        byte[] first = HelloBytes.handshake(2, new byte[10]);
        byte[] second = HelloBytes.handshake(11, new byte[10]);
        byte[] third = HelloBytes.handshake(14, new byte[0]);
        // record A (0x0301): first and half of second; record B (0x0303): rest of second, third
        byte[] payload = HelloBytes.concat(first, second, third);
        int cut = first.length + 5;
        byte[] stream = HelloBytes.concat(
                HelloBytes.records(HANDSHAKE, 0x0301, Arrays.copyOf(payload, cut), 1000),
                HelloBytes.records(HANDSHAKE, 0x0303, Arrays.copyOfRange(payload, cut, payload.length), 1000));

        Outcome outcome = feed(new HandshakeReassembler(3, 1 << 16), stream, 0, stream.length);

        assertEquals(COMPLETE, outcome.state());
        assertEquals(List.of(0x0301, 0x0301, 0x0303),
                outcome.messages().stream().map(HandshakeMessage::recordVersion).toList());
        assertEquals(List.of(2, 11, 14), types(outcome.messages()));
    }

    @Test
    void aMessageStartingAtARecordBoundaryCarriesTheNextRecordsVersion() {
        byte[] first = HelloBytes.handshake(2, new byte[10]);
        byte[] second = HelloBytes.handshake(11, new byte[10]);
        byte[] stream = HelloBytes.concat(HelloBytes.records(HANDSHAKE, 0x0301, first, 1000),
                HelloBytes.records(HANDSHAKE, 0x0303, second, 1000));

        Outcome outcome = feed(new HandshakeReassembler(2, 1 << 16), stream, 0, first.length + 5, stream.length);

        assertEquals(List.of(0x0301, 0x0303), outcome.messages().stream().map(HandshakeMessage::recordVersion).toList());
    }

    @Test
    void bytesAfterAVerdictChangeNothing() {
        byte[] records = HelloBytes.records(HANDSHAKE, 0x0301,
                HelloBytes.handshake(1, HelloBytes.clientHello().cipherSuites(0x1301).body()), 1000);
        HandshakeReassembler complete = new HandshakeReassembler();
        assertEquals(COMPLETE, complete.feed(records, 0, records.length));
        byte[] garbage = "GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);
        assertEquals(COMPLETE, complete.feed(garbage, 0, garbage.length));
        assertEquals(1, complete.messages().size());
        assertNull(complete.problem());

        HandshakeReassembler notTls = new HandshakeReassembler();
        assertEquals(NOT_TLS, notTls.feed(garbage, 0, garbage.length));
        assertEquals(NOT_TLS, notTls.feed(records, 0, records.length));
        assertTrue(notTls.first().isEmpty());
    }

    @Test
    void aSliceOutsideTheArrayIsRefusedBeforeAnyRead() {
        byte[] bytes = new byte[10];
        HandshakeReassembler reassembler = new HandshakeReassembler();
        assertThrows(IndexOutOfBoundsException.class, () -> reassembler.feed(bytes, 5, 6));
        assertThrows(IndexOutOfBoundsException.class, () -> reassembler.feed(bytes, -1, 2));
        assertEquals(NEEDS_MORE, reassembler.state());
    }

    /**
     * Mutated real flights (bytes changed, inserted, cut off) in random pieces: a verdict or
     * "needs more", never an exception; the hellos that come out parse or are refused with
     * TlsParseException only.
     */
    @Test
    void mutatedFlightsFedInRandomPiecesNeverThrow() throws Exception {
        Random random = new Random(20261122);
        List<byte[]> flights = new ArrayList<>();
        for (JdkTls.ClientConfig config : JdkTls.configurations()) {
            flights.add(JdkTls.clientHello(config));
        }
        flights.add(tls13.serverToClient());
        flights.add(tls12.serverToClient());
        int[] verdicts = new int[State.values().length];
        int hellosParsed = 0;
        int hellosRefused = 0;
        for (int round = 0; round < 20_000; round++) {
            byte[] stream = mutate(flights.get(random.nextInt(flights.size())), random);
            HandshakeReassembler reassembler = new HandshakeReassembler(1 + random.nextInt(4), 1 << (8 + random.nextInt(9)));
            int position = 0;
            while (position < stream.length) {
                int piece = Math.min(stream.length - position, 1 + random.nextInt(600));
                reassembler.feed(stream, position, piece);
                position += piece;
            }
            verdicts[reassembler.state().ordinal()]++;
            if (reassembler.state() == COMPLETE) {
                assertTrue(!reassembler.messages().isEmpty());
            } else {
                assertTrue(reassembler.state() == NEEDS_MORE || reassembler.problem() != null);
            }
            for (HandshakeMessage message : reassembler.messages()) {
                try {
                    if (message.type() == HandshakeMessage.CLIENT_HELLO) {
                        ClientHello hello = ClientHello.parse(message);
                        Ja4.fingerprint(hello);
                        hellosParsed++;
                    } else if (message.type() == HandshakeMessage.SERVER_HELLO) {
                        ServerHello.parse(message);
                        hellosParsed++;
                    }
                } catch (TlsParseException refused) {
                    hellosRefused++;
                }
            }
        }
        assertTrue(hellosParsed > 0 && hellosRefused > 0, hellosParsed + " hellos parsed, " + hellosRefused + " refused");
        for (State state : State.values()) {
            assertTrue(verdicts[state.ordinal()] > 0, "the mutations reached " + state + ": " + Arrays.toString(verdicts));
        }
    }

    static byte[] mutate(byte[] original, Random random) {
        byte[] bytes = original.clone();
        switch (random.nextInt(4)) {
            case 0 -> bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            case 1 -> {
                for (int i = 0; i < 1 + random.nextInt(8); i++) {
                    bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                }
            }
            case 2 -> bytes = Arrays.copyOf(bytes, random.nextInt(bytes.length + 1));
            default -> {
                int at = random.nextInt(bytes.length);
                byte[] inserted = new byte[1 + random.nextInt(4)];
                random.nextBytes(inserted);
                bytes = HelloBytes.concat(Arrays.copyOf(bytes, at), inserted, Arrays.copyOfRange(bytes, at, bytes.length));
            }
        }
        return bytes;
    }

    /** Feeds {@code bytes[cuts[0] .. cuts[last])} in the pieces between consecutive cuts. */
    static Outcome feed(HandshakeReassembler reassembler, byte[] bytes, int... cuts) {
        for (int i = 0; i + 1 < cuts.length; i++) {
            reassembler.feed(bytes, cuts[i], cuts[i + 1] - cuts[i]);
        }
        return new Outcome(reassembler.state(), reassembler.messages());
    }

    /** How many leading bytes of {@code flight} a reassembler needs to complete. */
    private static int lengthUntilComplete(byte[] flight, int wanted) {
        HandshakeReassembler reassembler = new HandshakeReassembler(wanted, 1 << 16);
        for (int length = 0; length < flight.length; length++) {
            if (reassembler.feed(flight, length, 1) == COMPLETE) {
                return length + 1;
            }
        }
        throw new AssertionError("the flight never completes");
    }

    private static List<Integer> types(List<HandshakeMessage> messages) {
        return messages.stream().map(HandshakeMessage::type).toList();
    }
}
