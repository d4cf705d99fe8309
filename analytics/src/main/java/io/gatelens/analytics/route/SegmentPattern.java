package io.gatelens.analytics.route;

import java.util.ArrayList;
import java.util.List;

/**
 * One path segment that mixes literal text and template parameters, e.g. {@code {name}.{ext}} or
 * {@code {id}:cancel}: literal pieces around parameters, {@code pieces.length == params + 1} (a piece
 * may be empty, as the prefix of {@code {id}:cancel}). Each parameter matches one or more characters.
 *
 * <p>Hand-written, part of the product: matching anchors the first and last pieces and places each
 * middle piece at its leftmost position. Leftmost is always a correct choice for patterns of the form
 * {@code L0 * L1 * ... * Lk} (it leaves the most room for what follows), so there is no backtracking
 * and the cost is at most O(segment length x pattern length).
 */
final class SegmentPattern {
    private final String[] pieces;
    private final int literalChars;
    private final String shape;

    private SegmentPattern(String[] pieces) {
        this.pieces = pieces;
        int n = 0;
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < pieces.length; k++) {
            n += pieces[k].length();
            sb.append(pieces[k]);
            if (k < pieces.length - 1) {
                sb.append("{}");
            }
        }
        this.literalChars = n;
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

    /** Whether {@code s[from, to)} matches, each parameter taking at least one character. */
    boolean matches(String s, int from, int to) {
        int last = pieces.length - 1;
        String first = pieces[0];
        String tail = pieces[last];
        // every parameter needs one character: cheap length check first
        if (to - from < literalChars + last) {
            return false;
        }
        if (!s.startsWith(first, from)) {
            return false;
        }
        int tailAt = to - tail.length();
        if (!s.startsWith(tail, tailAt)) {
            return false;
        }
        int at = from + first.length();
        for (int k = 1; k < last; k++) {
            int found = indexOf(s, pieces[k], at + 1, tailAt);
            if (found < 0) {
                return false;
            }
            at = found + pieces[k].length();
        }
        return at + 1 <= tailAt;
    }

    /** Leftmost {@code piece} in {@code s} starting at or after {@code from} and ending by {@code limit}. */
    private static int indexOf(String s, String piece, int from, int limit) {
        int lastStart = limit - piece.length();
        for (int i = from; i <= lastStart; i++) {
            if (s.startsWith(piece, i)) {
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
