package io.gatelens.collector.record;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * TlsChunkLayout against bpf/src/gatelens.h's text (as HttpRecordLayoutTest does for the HTTP
 * record): struct gl_tls_chunk laid out with C's natural alignment, the GL_TLS_* defines and flags.
 * The compiled struct is compared in BpfProgramTest.
 */
class TlsChunkLayoutTest {
    private static final Pattern DEFINE = Pattern.compile("^#define\\s+(GL_\\w+)\\s+(.+?)\\s*(/\\*.*)?$");
    private static final Pattern MEMBER = Pattern.compile("^\\s*(__u8|__u16|__u32|__u64|__be16|char)\\s+(\\w+)(?:\\[(\\w+)])?;");

    private static String header;
    private static final Map<String, String> defines = new LinkedHashMap<>();

    @BeforeAll
    static void readHeader() throws IOException {
        Path h = null;
        for (Path dir = Path.of("").toAbsolutePath(); dir != null && h == null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("bpf/src/gatelens.h"))) {
                h = dir.resolve("bpf/src/gatelens.h");
            }
        }
        assertNotNull(h, "bpf/src/gatelens.h not found");
        header = Files.readString(h);
        for (String line : header.split("\n")) {
            Matcher m = DEFINE.matcher(line);
            if (m.matches()) {
                defines.put(m.group(1), m.group(2));
            }
        }
    }

    @Test
    void structOffsetsAndSizeMatchTheHeader() throws Exception {
        int body = header.indexOf("struct gl_tls_chunk {");
        assertTrue(body >= 0, "struct gl_tls_chunk not in header");
        String struct = header.substring(body, header.indexOf("};", body));
        int offset = 0;
        int maxAlign = 1;
        List<String> seen = new ArrayList<>();
        for (String line : struct.split("\n")) {
            Matcher m = MEMBER.matcher(line);
            if (!m.find()) {
                continue;
            }
            int size = switch (m.group(1)) {
                case "__u8", "char" -> 1;
                case "__u16", "__be16" -> 2;
                case "__u32" -> 4;
                default -> 8;
            };
            int count = m.group(3) == null ? 1 : number(m.group(3));
            offset = (offset + size - 1) / size * size;
            maxAlign = Math.max(maxAlign, size);
            String constant = "OFF_" + m.group(2).replaceFirst("^_", "").toUpperCase();
            assertEquals(offset, TlsChunkLayout.class.getField(constant).getInt(null), m.group(2) + " (" + constant + ")");
            seen.add(constant);
            offset += size * count;
        }
        int size = (offset + maxAlign - 1) / maxAlign * maxAlign;
        assertEquals(size, TlsChunkLayout.SIZE, "sizeof(struct gl_tls_chunk)");
        assertEquals(0, TlsChunkLayout.SIZE % HttpRecordLayout.ALIGNMENT, "records are 8-byte aligned in a drain");
        Set<String> declared = new TreeSet<>();
        for (Field f : TlsChunkLayout.class.getFields()) {
            if (f.getName().startsWith("OFF_")) {
                declared.add(f.getName());
            }
        }
        assertEquals(declared, new TreeSet<>(seen), "OFF_ constants without a struct member, or the reverse");
    }

    @Test
    void constantsAndFlagsMatchTheHeader() {
        assertEquals(number("GL_RECORD_TLS"), TlsChunkLayout.TYPE_TLS);
        assertEquals(number("GL_TLS_CHUNK_MAX"), TlsChunkLayout.CHUNK_MAX);
        assertEquals(number("GL_TLS_HELLO_MAX"), TlsChunkLayout.HELLO_MAX);
        assertEquals(number("GL_TLS_CHUNKS_PER_DIR"), TlsChunkLayout.CHUNKS_PER_DIR);
        Pattern bit = Pattern.compile("\\(1 << (\\d+)\\)");
        int n = 0;
        for (Map.Entry<String, String> d : defines.entrySet()) {
            if (!d.getKey().startsWith("GL_TLS_F_")) {
                continue;
            }
            String name = d.getKey().substring("GL_TLS_F_".length());
            Matcher m = bit.matcher(d.getValue());
            assertTrue(m.matches(), d.getKey());
            assertEquals(List.of(name), TlsChunkLayout.flagNames(1 << Integer.parseInt(m.group(1))), d.getKey());
            n++;
        }
        assertEquals(4, n, "GL_TLS_F_ flags");
        assertEquals(TlsChunkLayout.SIZE, RecordTypes.MAX_SIZE, "the chunk is the largest record");
    }

    private static int number(String name) {
        if (name.matches("\\d+")) {
            return Integer.parseInt(name);
        }
        String v = defines.get(name);
        assertNotNull(v, name + " not defined in gatelens.h");
        return Integer.parseInt(v.trim());
    }
}
