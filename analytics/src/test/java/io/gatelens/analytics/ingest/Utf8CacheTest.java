package io.gatelens.analytics.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The method and host cache of {@link TransactionIngest}: whatever slice of a buffer it is asked for,
 * it answers the string those bytes decode to — through its two-long keys for slices of up to 16
 * bytes (at any offset, up to the buffer's last byte, among neighbours that differ only past the
 * slice) and its byte keys beyond.
 */
class Utf8CacheTest {

    @Test
    void everySliceDecodesToItsOwnString() {
        SplittableRandom rnd = new SplittableRandom(5);
        // a tiny cache: slots are shared all the time, so a wrong hit would show; words of one length
        // that differ only in their first or second eight bytes, or in their last byte
        TransactionIngest.Utf8Cache cache = new TransactionIngest.Utf8Cache(4);
        String[] words = {"GET", "GETX", "GE", "POST", "api.github.com", "api.github.co", "api.github.com.", "a",
            "uploads.github.com", "api.github.org", "PUT", "abcdefgh", "abcdefgi", "abcdefghi", "abcdefghj", "x".repeat(16), "x".repeat(15) + "y", "x".repeat(17), "", "h\u00e9llo", "\u65e5\u672c"};
        for (int round = 0; round < 20_000; round++) {
            byte[] buffer = new byte[1 + rnd.nextInt(40)];
            rnd.nextBytes(buffer); // neighbours are noise
            String word = words[rnd.nextInt(words.length)];
            byte[] bytes = word.getBytes(StandardCharsets.UTF_8);
            if (bytes.length > buffer.length) {
                continue;
            }
            // often at the very end of the buffer, where no eight bytes can be read at once
            int at = rnd.nextBoolean() ? buffer.length - bytes.length : rnd.nextInt(buffer.length - bytes.length + 1);
            System.arraycopy(bytes, 0, buffer, at, bytes.length);
            assertEquals(word, cache.get(buffer, at, bytes.length), "round " + round);
        }
    }

    @Test
    void bytesThatAreNoUtf8AndNulBytesAreKeysLikeAnyOther() {
        TransactionIngest.Utf8Cache cache = new TransactionIngest.Utf8Cache(64);
        byte[] a = {'G', 'E', 'T', 0};
        byte[] b = {'G', 'E', 'T', 0, 0};
        byte[] invalid = {(byte) 0xff, (byte) 0xfe, 'x'};
        assertEquals("GET\0", cache.get(a, 0, 4));
        assertEquals("GET\0\0", cache.get(b, 0, 5), "a longer run of NULs is another key");
        assertEquals("GET", cache.get(b, 0, 3));
        assertEquals(new String(invalid, StandardCharsets.UTF_8), cache.get(invalid, 0, 3));
        String first = cache.get(new byte[] {'P', 'U', 'T'}, 0, 3);
        assertSame(first, cache.get(new byte[] {0, 'P', 'U', 'T', 9}, 1, 3), "a repeat is the same instance");
    }
}
