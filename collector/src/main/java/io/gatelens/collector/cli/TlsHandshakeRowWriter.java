package io.gatelens.collector.cli;

import static io.gatelens.collector.record.TlsHandshakeSchema.*;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.gatelens.collector.handshake.TlsHandshake;
import io.gatelens.collector.record.TlsHandshakeSchema;
import java.io.IOException;
import java.io.Writer;
import java.util.Objects;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Prints {@link TlsHandshakeSchema} rows for humans and pipelines, like
 * {@link TransactionRowWriter}: TSV (a header, then a line per handshake; every value escaped so
 * it cannot break a line or a column) or JSON Lines, where each object starts with
 * {@code "schema":"tls_handshake"} so it can share a stream with transactions. A TSV line prefix
 * (e.g. "tls\t") lets handshake lines share a stream with transaction lines too. Not thread-safe.
 */
public final class TlsHandshakeRowWriter {
    private static final String[] COLUMNS = TlsHandshakeSchema.schema().getFields().stream()
            .map(f -> f.getName()).toArray(String[]::new);

    private final Writer out;
    private final TransactionRowWriter.Format format;
    private final String tsvPrefix;
    private final JsonGenerator json;
    private boolean headerWritten;
    private long rows;

    public TlsHandshakeRowWriter(Writer out, TransactionRowWriter.Format format, String tsvPrefix) throws IOException {
        this.out = Objects.requireNonNull(out, "out");
        this.format = Objects.requireNonNull(format, "format");
        this.tsvPrefix = tsvPrefix == null ? "" : tsvPrefix;
        if (format == TransactionRowWriter.Format.JSON) {
            json = new JsonFactory().createGenerator(out);
            json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            json.setRootValueSeparator(null);
        } else {
            json = null;
        }
    }

    /** Writes every row of root (the TSV header first, on the first call), then flushes. */
    public void write(VectorSchemaRoot root) throws IOException {
        if (!root.getSchema().getFields().equals(TlsHandshakeSchema.schema().getFields())) {
            throw new IllegalArgumentException("root does not have the TlsHandshakeSchema fields: " + root.getSchema());
        }
        for (TlsHandshake h : TlsHandshake.readAll(root)) {
            write(h);
        }
        flush();
    }

    public void write(TlsHandshake h) throws IOException {
        if (json != null) {
            jsonRow(h);
        } else {
            StringBuilder sb = new StringBuilder(512);
            if (!headerWritten) {
                sb.append(tsvPrefix).append(String.join("\t", COLUMNS)).append('\n');
                headerWritten = true;
            }
            sb.append(tsvPrefix);
            sb.append(h.tsNs()).append('\t');
            sb.append(TransactionRowWriter.formatAddress(h.src())).append('\t').append(h.sport()).append('\t');
            sb.append(TransactionRowWriter.formatAddress(h.dst())).append('\t').append(h.dport()).append('\t');
            sb.append(h.family()).append('\t').append(h.direction()).append('\t').append(h.ifindex());
            for (String v : text(h)) {
                sb.append('\t');
                if (v != null) {
                    TransactionRowWriter.escapeTsv(v, sb);
                }
            }
            sb.append('\t');
            if (h.handshakeNs() != null) {
                sb.append(h.handshakeNs());
            }
            sb.append('\t').append(h.flags()).append('\n');
            out.append(sb);
        }
        rows++;
    }

    /** Rows written so far. */
    public long rowsWritten() {
        return rows;
    }

    public void flush() throws IOException {
        if (json != null) {
            json.flush();
        }
        out.flush();
    }

    private static String[] text(TlsHandshake h) {
        return new String[] {h.sni(), h.clientVersions(), h.clientAlpn(), h.cipherSuites(), h.clientExtensions(),
            h.signatureAlgorithms(), h.ja4(), h.ja4Raw(), h.recordVersion(), h.clientLegacyVersion(),
            h.serverVersion(), h.serverCipher(), h.serverAlpn()};
    }

    private void jsonRow(TlsHandshake h) throws IOException {
        JsonGenerator g = json;
        g.writeStartObject();
        g.writeStringField("schema", SCHEMA_NAME);
        g.writeNumberField(TS_NS, h.tsNs());
        g.writeStringField(SRC, TransactionRowWriter.formatAddress(h.src()));
        g.writeNumberField(SPORT, h.sport());
        g.writeStringField(DST, TransactionRowWriter.formatAddress(h.dst()));
        g.writeNumberField(DPORT, h.dport());
        g.writeNumberField(FAMILY, h.family());
        g.writeNumberField(DIRECTION, h.direction());
        g.writeNumberField(IFINDEX, h.ifindex());
        String[] names = {SNI, CLIENT_VERSIONS, CLIENT_ALPN, CIPHER_SUITES, CLIENT_EXTENSIONS, SIGNATURE_ALGORITHMS, JA4,
            JA4_RAW, RECORD_VERSION, CLIENT_LEGACY_VERSION, SERVER_VERSION, SERVER_CIPHER, SERVER_ALPN};
        String[] values = text(h);
        for (int i = 0; i < names.length; i++) {
            if (values[i] == null) {
                g.writeNullField(names[i]);
            } else {
                g.writeStringField(names[i], values[i]);
            }
        }
        if (h.handshakeNs() == null) {
            g.writeNullField(HANDSHAKE_NS);
        } else {
            g.writeNumberField(HANDSHAKE_NS, h.handshakeNs());
        }
        g.writeNumberField(FLAGS, h.flags());
        g.writeArrayFieldStart("flag_names");
        for (String name : TlsHandshake.flagNames(h.flags())) {
            g.writeString(name);
        }
        g.writeEndArray();
        g.writeEndObject();
        g.writeRaw('\n');
    }
}
