package io.gatelens.analytics.route;

import java.util.ArrayList;
import java.util.List;

/**
 * One path segment that mixes literal text and template parameters, e.g. {@code {name}.{ext}} or
 * {@code {id}:cancel}: literal pieces around parameters, {@code pieces.length == params + 1} (a piece
 * may be empty, as the prefix of {@code {id}:cancel}). Each parameter matches one or more characters.
 *
 * <p>Matching is on UTF-8 bytes, as the path comes off the wire. UTF-8 is self-synchronising: a
 * piece (valid UTF-8) found in valid UTF-8 text starts and ends on character boundaries, so byte-wise
 * placement is character-wise placement, and "one or more bytes" is "one or more characters".
 *
 * <p>Hand-written, part of the product: matching anchors the first and last pieces and places each
 * middle piece at its leftmost position. Leftmost is always a correct choice for patterns of the form
 * {@code L0 * L1 * ... * Lk} (it leaves the most room for what follows), so there is no backtracking
 * and the cost is at most O(segment length x pattern length).
 */
final class SegmentPattern {
    private final byte[][] pieces;
    private final int literalChars;
    private final int literalBytes;
    private final String shape;

    private SegmentPattern(String[] pieces) {
        this.pieces = new byte[pieces.length][];
        int n = 0;
        int bytes = 0;
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < pieces.length; k++) {
            this.pieces[k] = RouteTrie.utf8(pieces[k]);
            bytes += this.pieces[k].length;
            n += pieces[k].length();
            sb.append(pieces[k]);
            if (k < pieces.length - 1) {
                sb.append("{}");
            }
        }
        this.literalChars = n;
        this.literalBytes = bytes;
        this.shape = sb.toString();
    }

    /**
     * Parses a template segment; null when it holds no well-formed {@code {param}} (then it is a literal).
     * Braces must balance and not nest; a parameter name must not be empty.
     */
    static SegmentPattern parse(String segment) {
        List<String> pieces = new ArrayList<>();
        StringBuilder lit = new StringBuilder();
        int params = 0;
        int i = 0;
        while (i < segment.length()) {
            char c = segment.charAt(i);
            if (c == '{') {
                int close = segment.indexOf('}', i + 1);
                if (close < 0 || close == i + 1 || segment.indexOf('{', i + 1) >= 0 && segment.indexOf('{', i + 1) < close) {
                    return null;
                }
                pieces.add(lit.toString());
                lit.setLength(0);
                params++;
                i = close + 1;
            } else if (c == '}') {
                return null;
            } else {
                lit.append(c);
                i++;
            }
        }
        if (params == 0) {
            return null;
        }
        pieces.add(lit.toString());
        return new SegmentPattern(pieces.toArray(new String[0]));
    }

    /** True for the plain {@code {param}} segment: one parameter, no literal text. */
    boolean isWholeSegment() {
        return pieces.length == 2 && literalChars == 0;
    }

    /** The pattern with parameter names erased ({@code {}.{}}): patterns of one shape match the same values. */
    String shape() {
        return shape;
    }

    int literalChars() {
        return literalChars;
    }

    int params() {
        return pieces.length - 1;
    }

    /** Whether {@code s[from, to)} (UTF-8) matches, each parameter taking at least one byte. */
    boolean matches(byte[] s, int from, int to) {
        int last = pieces.length - 1;
        byte[] first = pieces[0];
        byte[] tail = pieces[last];
        // every parameter needs one byte: cheap length check first
        if (to - from < literalBytes + last) {
            return false;
        }
        if (!startsWith(s, first, from)) {
            return false;
        }
        int tailAt = to - tail.length;
        if (!startsWith(s, tail, tailAt)) {
            return false;
        }
        int at = from + first.length;
        for (int k = 1; k < last; k++) {
            int found = indexOf(s, pieces[k], at + 1, tailAt);
            if (found < 0) {
                return false;
            }
            at = found + pieces[k].length;
        }
        return at + 1 <= tailAt;
    }

    /** {@link #matches(byte[], int, int)} for text: its UTF-8 encoding. */
    boolean matches(String s, int from, int to) {
        byte[] utf8 = RouteTrie.utf8(s.substring(from, to));
        return matches(utf8, 0, utf8.length);
    }

    /** Whether {@code piece} is at {@code s[at]}; the caller has checked that it fits. */
    private static boolean startsWith(byte[] s, byte[] piece, int at) {
        for (int k = 0; k < piece.length; k++) {
            if (s[at + k] != piece[k]) {
                return false;
            }
        }
        return true;
    }

    /** Leftmost {@code piece} in {@code s} starting at or after {@code from} and ending by {@code limit}. */
    private static int indexOf(byte[] s, byte[] piece, int from, int limit) {
        int lastStart = limit - piece.length;
        for (int i = from; i <= lastStart; i++) {
            if (startsWith(s, piece, i)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        return shape;
    }
}
