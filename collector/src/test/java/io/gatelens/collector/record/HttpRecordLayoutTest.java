package io.gatelens.collector.record;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
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
 * Checks HttpRecordLayout against bpf/src/gatelens.h itself: the struct is parsed and laid out
 * with the C natural-alignment rules, and the #defines are compared, so editing one side alone
 * fails the build without needing the native library. A check against GatelensNative.layout()
 * (offsetof from the compiled C) belongs in io.gatelens.collector.bpf, where that method is visible.
 */
class HttpRecordLayoutTest {
    private static final Pattern DEFINE = Pattern.compile("^#define\\s+(GL_\\w+)\\s+(.+?)\\s*(/\\*.*)?$");
    private static final Pattern MEMBER = Pattern.compile("^\\s*(__u8|__u16|__u32|__u64|__be16|char)\\s+(\\w+)(?:\\[(\\w+)])?;");

    private static String header;
    private static final Map<String, String> defines = new LinkedHashMap<>();

    @BeforeAll
    static void readHeader() throws IOException {
        Path cwd = Path.of("").toAbsolutePath();
        Path h = null;
        for (Path dir = cwd; dir != null && h == null; dir = dir.getParent()) {
            Path candidate = dir.resolve("bpf/src/gatelens.h");
            if (Files.isRegularFile(candidate)) {
                h = candidate;
            }
        }
        assertNotNull(h, "bpf/src/gatelens.h not found above " + cwd);
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
        int body = header.indexOf("struct gl_http_record {");
        assertTrue(body >= 0, "struct gl_http_record not in header");
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
            String name = m.group(2);
            String constant = "OFF_" + name.replaceFirst("^_", "").toUpperCase(); // _pad -> OFF_PAD
            assertEquals(offset, constant(constant), name + " offset (" + constant + ")");
            seen.add(constant);
            offset += size * count;
        }
        int size = (offset + maxAlign - 1) / maxAlign * maxAlign;
        assertEquals(size, HttpRecordLayout.SIZE, "sizeof(struct gl_http_record)");
        assertEquals(432, size, "the brief's record size");
        assertEquals(0, HttpRecordLayout.SIZE % HttpRecordLayout.ALIGNMENT);

        Set<String> declared = new TreeSet<>();
        for (Field f : HttpRecordLayout.class.getFields()) {
            if (f.getName().startsWith("OFF_")) {
                declared.add(f.getName());
            }
        }
        assertEquals(declared, new TreeSet<>(seen), "OFF_ constants without a struct member, or the reverse");
    }

    @Test
    void sizesTypeAndDirectionsMatchTheHeader() throws Exception {
        assertEquals(number("GL_METHOD_MAX"), HttpRecordLayout.METHOD_MAX);
        assertEquals(number("GL_HOST_MAX"), HttpRecordLayout.HOST_MAX);
        assertEquals(number("GL_PATH_MAX"), HttpRecordLayout.PATH_MAX);
        assertEquals(number("GL_RECORD_HTTP"), HttpRecordLayout.TYPE_HTTP);
        assertEquals(number("GL_DIR_UNKNOWN"), HttpRecordLayout.DIR_UNKNOWN);
        assertEquals(number("GL_DIR_SERVER"), HttpRecordLayout.DIR_SERVER);
        assertEquals(number("GL_DIR_CLIENT"), HttpRecordLayout.DIR_CLIENT);
    }

    @Test
    void everyHeaderFlagHasTheSameBitAndName() throws Exception {
        Pattern bit = Pattern.compile("\\(1 << (\\d+)\\)");
        int n = 0;
        for (Map.Entry<String, String> d : defines.entrySet()) {
            if (!d.getKey().startsWith("GL_F_")) {
                continue;
            }
            String name = d.getKey().substring("GL_F_".length());
            Matcher m = bit.matcher(d.getValue());
            assertTrue(m.matches(), d.getKey() + " is not (1 << n): " + d.getValue());
            int value = 1 << Integer.parseInt(m.group(1));
            assertEquals(value, constant("FLAG_" + name), "FLAG_" + name);
            assertEquals(List.of(name), HttpRecordLayout.flagNames(value));
            n++;
        }
        assertEquals(12, n, "flags in gatelens.h");
        long javaFlags = java.util.Arrays.stream(HttpRecordLayout.class.getFields())
                .filter(f -> f.getName().startsWith("FLAG_")).count();
        assertEquals(n, javaFlags, "FLAG_ constants without a GL_F_ define");
    }

    @Test
    void flagNamesListsBitsLowestFirstAndNamesUnknownBits() {
        assertEquals(List.of(), HttpRecordLayout.flagNames(0));
        assertEquals(List.of("PATH_TRUNCATED", "NO_RESPONSE"), HttpRecordLayout.flagNames(0b101));
        assertEquals(List.of("REQ_BODY_OPEN", "BIT_15"), HttpRecordLayout.flagNames((1 << 11) | (1 << 15)));
        assertEquals(16, HttpRecordLayout.flagNames(0xffff).size());
    }

    private static int number(String defineOrLiteral) {
        if (defineOrLiteral.matches("\\d+")) {
            return Integer.parseInt(defineOrLiteral);
        }
        String v = defines.get(defineOrLiteral);
        assertNotNull(v, defineOrLiteral + " not defined in gatelens.h");
        return Integer.parseInt(v.trim());
    }

    private static int constant(String name) throws Exception {
        Field f;
        try {
            f = HttpRecordLayout.class.getField(name);
        } catch (NoSuchFieldException e) {
            fail("HttpRecordLayout has no " + name);
            return -1;
        }
        assertTrue(Modifier.isStatic(f.getModifiers()) && Modifier.isFinal(f.getModifiers()), name);
        return f.getInt(null);
    }
}
