package io.gatelens.collector.cli;

import static io.gatelens.collector.record.TransactionSchema.*;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.gatelens.collector.record.HttpRecordLayout;
import io.gatelens.collector.record.TransactionSchema;
import java.io.Flushable;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Prints {@link TransactionSchema} rows as text for humans and shell pipelines: TSV (a header,
 * then one line per row) or JSON Lines (one object per line). Paths and hosts are
 * attacker-controlled, so TSV escapes every byte that could break a line or a column, and JSON
 * goes through Jackson's escaping. Not thread-safe.
 */
public final class TransactionRowWriter implements Flushable {
    /** Output format. */
    public enum Format { TSV, JSON }

    /** Columns added after the transaction's own (e.g. the operation a report matched it to). */
    public interface Annotation {
        /** Column names, fixed for the writer's life. */
        List<String> columns();

        /** One value per column for row r of root (null: empty in TSV, null in JSON). */
        String[] values(VectorSchemaRoot root, int r);
    }

    private static final String[] COLUMNS = TransactionSchema.schema().getFields().stream()
            .map(f -> f.getName()).toArray(String[]::new);
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final Writer out;
    private final Format format;
    private final JsonGenerator json;
    private final StringBuilder line = new StringBuilder(512);
    private final Annotation annotation;
    private boolean headerWritten;
    private long rows;

    /** Writes to out (a {@link Writer} is used directly, another Appendable is adapted). */
    public TransactionRowWriter(Appendable out, Format format) throws IOException {
        this(out, format, null);
    }

    /** As {@link #TransactionRowWriter(Appendable, Format)}, with annotation's columns after each row's own. */
    public TransactionRowWriter(Appendable out, Format format, Annotation annotation) throws IOException {
        Objects.requireNonNull(out, "out");
        this.annotation = annotation;
        this.format = Objects.requireNonNull(format, "format");
        this.out = out instanceof Writer ? (Writer) out : new AppendableWriter(out);
        if (format == Format.JSON) {
            json = new JsonFactory().createGenerator(this.out);
            json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            json.setRootValueSeparator(null); // we end every object with '\n' ourselves
        } else {
            json = null;
        }
    }

    /** Writes every row of root (the TSV header first, on the first call), then flushes. */
    public void write(VectorSchemaRoot root) throws IOException {
        write(root, 0, root.getRowCount());
    }

    /** Writes rows [from, to) of root, then flushes. */
    public void write(VectorSchemaRoot root, int from, int to) throws IOException {
        Objects.requireNonNull(root, "root");
        Objects.checkFromToIndex(from, to, root.getRowCount());
        if (!root.getSchema().getFields().equals(TransactionSchema.schema().getFields())) {
            throw new IllegalArgumentException("root does not have the TransactionSchema fields: "
                    + root.getSchema());
        }
        Columns c = new Columns(root.getFieldVectors());
        if (format == Format.TSV) {
            if (!headerWritten) {
                out.write(String.join("\t", COLUMNS));
                if (annotation != null) {
                    for (String col : annotation.columns()) {
                        out.write('\t');
                        out.write(col);
                    }
                }
                out.write('\n');
                headerWritten = true;
            }
            for (int r = from; r < to; r++) {
                line.setLength(0);
                tsvRow(c, r, line);
                if (annotation != null) {
                    for (String v : annotation.values(root, r)) {
                        line.append('\t');
                        if (v != null) {
                            escapeTsv(v, line);
                        }
                    }
                }
                line.append('\n');
                out.append(line);
                rows++;
            }
            out.flush();
        } else {
            for (int r = from; r < to; r++) {
                jsonRow(c, r, annotation == null ? null : annotation.values(root, r));
                rows++;
            }
            json.flush();
        }
    }

    /** Rows written so far. */
    public long rowsWritten() {
        return rows;
    }

    @Override
    public void flush() throws IOException {
        if (json != null) {
            json.flush();
        } else {
            out.flush();
        }
    }

    private static void tsvRow(Columns c, int r, StringBuilder sb) {
        sb.append(c.tsNs.get(r)).append('\t');
        sb.append(formatAddress(c.src.get(r))).append('\t');
        sb.append(c.sport.get(r)).append('\t');
        sb.append(formatAddress(c.dst.get(r))).append('\t');
        sb.append(c.dport.get(r)).append('\t');
        sb.append(c.family.get(r)).append('\t');
        sb.append(c.direction.get(r)).append('\t');
        sb.append(c.ifindex.get(r)).append('\t');
        escapeTsv(text(c.method, r), sb);
        sb.append('\t');
        escapeTsv(text(c.path, r), sb);
        sb.append('\t');
        if (!c.host.isNull(r)) {
            escapeTsv(text(c.host, r), sb);
        }
        sb.append('\t');
        if (!c.status.isNull(r)) {
            sb.append(c.status.get(r));
        }
        sb.append('\t');
        sb.append(c.reqBytes.get(r)).append('\t');
        sb.append(c.respBytes.get(r)).append('\t');
        if (!c.ttfbNs.isNull(r)) {
            sb.append(c.ttfbNs.get(r));
        }
        sb.append('\t');
        if (!c.latencyNs.isNull(r)) {
            sb.append(c.latencyNs.get(r));
        }
        sb.append('\t');
        sb.append(c.flags.get(r));
    }

    private void jsonRow(Columns c, int r, String[] extra) throws IOException {
        JsonGenerator g = json;
        g.writeStartObject();
        g.writeNumberField(TS_NS, c.tsNs.get(r));
        g.writeStringField(SRC, formatAddress(c.src.get(r)));
        g.writeNumberField(SPORT, c.sport.get(r));
        g.writeStringField(DST, formatAddress(c.dst.get(r)));
        g.writeNumberField(DPORT, c.dport.get(r));
        g.writeNumberField(FAMILY, c.family.get(r));
        g.writeNumberField(DIRECTION, c.direction.get(r));
        g.writeNumberField(IFINDEX, c.ifindex.get(r));
        g.writeStringField(METHOD, text(c.method, r));
        g.writeStringField(PATH, text(c.path, r));
        if (c.host.isNull(r)) {
            g.writeNullField(HOST);
        } else {
            g.writeStringField(HOST, text(c.host, r));
        }
        if (c.status.isNull(r)) {
            g.writeNullField(STATUS);
        } else {
            g.writeNumberField(STATUS, c.status.get(r));
        }
        g.writeNumberField(REQ_BYTES, c.reqBytes.get(r));
        g.writeNumberField(RESP_BYTES, c.respBytes.get(r));
        if (c.ttfbNs.isNull(r)) {
            g.writeNullField(TTFB_NS);
        } else {
            g.writeNumberField(TTFB_NS, c.ttfbNs.get(r));
        }
        if (c.latencyNs.isNull(r)) {
            g.writeNullField(LATENCY_NS);
        } else {
            g.writeNumberField(LATENCY_NS, c.latencyNs.get(r));
        }
        int flags = c.flags.get(r);
        g.writeNumberField(FLAGS, flags);
        g.writeArrayFieldStart("flag_names");
        for (String name : HttpRecordLayout.flagNames(flags)) {
            g.writeString(name);
        }
        g.writeEndArray();
        if (extra != null) {
            List<String> names = annotation.columns();
            for (int i = 0; i < extra.length; i++) {
                if (extra[i] == null) {
                    g.writeNullField(names.get(i));
                } else {
                    g.writeStringField(names.get(i), extra[i]);
                }
            }
        }
        g.writeEndObject();
        g.writeRaw('\n');
    }

    private static String text(VarCharVector v, int r) {
        return new String(v.get(r), StandardCharsets.UTF_8);
    }

    /**
     * Appends s so that it cannot split a TSV line or column: backslash, tab, CR and LF become
     * \\ \t \r \n; other C0 controls and DEL become \xNN; C1 controls and the Unicode line and
     * paragraph separators become \\uNNNN.
     */
    public static void escapeTsv(String s, StringBuilder sb) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '\\': sb.append("\\\\"); break;
                case '\t': sb.append("\\t"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                default:
                    if (ch < 0x20 || ch == 0x7f) {
                        sb.append("\\x").append(HEX[ch >> 4]).append(HEX[ch & 0xf]);
                    } else if ((ch >= 0x80 && ch <= 0x9f) || ch == '\u2028' || ch == '\u2029') {
                        sb.append("\\u").append(HEX[ch >> 12]).append(HEX[(ch >> 8) & 0xf])
                                .append(HEX[(ch >> 4) & 0xf]).append(HEX[ch & 0xf]);
                    } else {
                        sb.append(ch);
                    }
            }
        }
    }

    /**
     * Text form of a 16-byte address: IPv4-mapped (::ffff:a.b.c.d) as the dotted quad,
     * anything else as RFC 5952 IPv6 (lowercase, longest zero run compressed, e.g. ::1).
     */
    public static String formatAddress(byte[] a) {
        if (a.length != 16) {
            throw new IllegalArgumentException("an address has 16 bytes, got " + a.length);
        }
        boolean mapped = (a[10] & 0xff) == 0xff && (a[11] & 0xff) == 0xff;
        for (int i = 0; i < 10 && mapped; i++) {
            mapped = a[i] == 0;
        }
        StringBuilder sb = new StringBuilder(39);
        if (mapped) {
            return sb.append(a[12] & 0xff).append('.').append(a[13] & 0xff).append('.')
                    .append(a[14] & 0xff).append('.').append(a[15] & 0xff).toString();
        }
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((a[2 * i] & 0xff) << 8) | (a[2 * i + 1] & 0xff);
        }
        // longest run of at least two zero groups, the first one on ties (RFC 5952 4.2)
        int bestAt = -1, bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestAt = i;
                bestLen = j - i;
            }
            i = j;
        }
        for (int i = 0; i < 8; i++) {
            if (i == bestAt) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }

    /** The typed vectors of one root. */
    private static final class Columns {
        final BigIntVector tsNs;
        final FixedSizeBinaryVector src;
        final IntVector sport;
        final FixedSizeBinaryVector dst;
        final IntVector dport;
        final TinyIntVector family;
        final TinyIntVector direction;
        final IntVector ifindex;
        final VarCharVector method;
        final VarCharVector path;
        final VarCharVector host;
        final IntVector status;
        final BigIntVector reqBytes;
        final BigIntVector respBytes;
        final BigIntVector ttfbNs;
        final BigIntVector latencyNs;
        final IntVector flags;

        Columns(List<FieldVector> v) {
            tsNs = (BigIntVector) v.get(COL_TS_NS);
            src = (FixedSizeBinaryVector) v.get(COL_SRC);
            sport = (IntVector) v.get(COL_SPORT);
            dst = (FixedSizeBinaryVector) v.get(COL_DST);
            dport = (IntVector) v.get(COL_DPORT);
            family = (TinyIntVector) v.get(COL_FAMILY);
            direction = (TinyIntVector) v.get(COL_DIRECTION);
            ifindex = (IntVector) v.get(COL_IFINDEX);
            method = (VarCharVector) v.get(COL_METHOD);
            path = (VarCharVector) v.get(COL_PATH);
            host = (VarCharVector) v.get(COL_HOST);
            status = (IntVector) v.get(COL_STATUS);
            reqBytes = (BigIntVector) v.get(COL_REQ_BYTES);
            respBytes = (BigIntVector) v.get(COL_RESP_BYTES);
            ttfbNs = (BigIntVector) v.get(COL_TTFB_NS);
            latencyNs = (BigIntVector) v.get(COL_LATENCY_NS);
            flags = (IntVector) v.get(COL_FLAGS);
        }
    }

    /** Adapts an Appendable (e.g. a StringBuilder or PrintStream) to the Writer Jackson needs. */
    private static final class AppendableWriter extends Writer {
        private final Appendable target;

        AppendableWriter(Appendable target) {
            this.target = target;
        }

        @Override
        public void write(char[] cbuf, int off, int len) throws IOException {
            target.append(java.nio.CharBuffer.wrap(cbuf, off, len));
        }

        @Override
        public void write(String str, int off, int len) throws IOException {
            target.append(str, off, off + len);
        }

        @Override
        public Writer append(CharSequence csq) throws IOException {
            target.append(csq);
            return this;
        }

        @Override
        public void flush() throws IOException {
            if (target instanceof Flushable) {
                ((Flushable) target).flush();
            }
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
