package io.gatelens.analytics.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatelens.analytics.route.Match;
import io.gatelens.analytics.route.RouteTrie;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpecLoaderTest {

    private final SpecLoader loader = new SpecLoader();

    private ApiSpec load(String text) throws SpecException {
        return loader.load(text.getBytes(StandardCharsets.UTF_8));
    }

    private SpecException refused(String text) {
        return assertThrows(SpecException.class, () -> load(text));
    }

    // ------------------------------------------------------------ bad uploads

    @Test
    void invalidYamlCarriesTheParserMessage() {
        SpecException e = refused("openapi: 3.0.0\ninfo: [unclosed\npaths: {}\n");
        assertTrue(e.getMessage().startsWith("invalid YAML"), e.getMessage());
        assertEquals(1, e.messages().size());
        assertTrue(e.messages().get(0).contains("line"), e.messages().get(0));
    }

    @Test
    void invalidJsonCarriesTheParserMessage() {
        SpecException e = refused("{\"openapi\": \"3.0.0\", \"paths\": {\"/a\": }");
        assertTrue(e.getMessage().startsWith("invalid JSON"), e.getMessage());
        assertTrue(e.messages().get(0).contains("line 1"), e.messages().get(0));
        assertTrue(refused("{\"openapi\": \"3.0.0\"} trailing").getMessage().startsWith("invalid JSON"));
    }

    @Test
    void notAnOpenApiDocument() {
        assertTrue(refused("name: a kubernetes deployment\nkind: Deployment\n").getMessage()
            .contains("no 'openapi: 3.x' or 'swagger: \"2.0\"' field"));
        assertTrue(refused("- a\n- b\n").getMessage().contains("the top level is a list"));
        assertTrue(refused("just some text").getMessage().contains("the top level is a string"));
        assertTrue(refused("openapi: 4.0.0\npaths: {}\n").getMessage().startsWith("unsupported version"));
        assertTrue(refused("swagger: '1.2'\n").getMessage().startsWith("unsupported version"));
        assertTrue(refused("   \n\n").getMessage().startsWith("empty upload"));
        SpecException binary = assertThrows(SpecException.class, () -> loader.load(new byte[] {'a', ':', ' ', (byte) 0xff, (byte) 0xfe}));
        assertTrue(binary.getMessage().startsWith("not UTF-8"), binary.getMessage());
    }

    @Test
    void specsWithoutPathsOrOperations() {
        SpecException none = refused("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n");
        assertTrue(none.getMessage().contains("no paths"), none.getMessage());
        SpecException missing = refused("openapi: 3.1.0\ninfo: {title: t, version: '1'}\n");
        assertTrue(missing.getMessage().contains("no paths"), missing.getMessage());
        SpecException noOps = refused("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    summary: nothing here\n");
        assertTrue(noOps.getMessage().contains("no operations"), noOps.getMessage());
        SpecException notObject = refused("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: 5\n");
        // the parser's own words come along
        assertTrue(notObject.messages().stream().anyMatch(m -> m.contains("paths")), notObject.messages().toString());
        SpecException swagger = refused("swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n");
        assertTrue(swagger.getMessage().contains("no paths"), swagger.getMessage());
    }

    @Test
    void yamlAliasBombIsRefused() {
        StringBuilder y = new StringBuilder("openapi: 3.0.0\ninfo: {title: t, version: '1'}\nx-lol:\n  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (int i = 1; i < 10; i++) {
            y.append("  a").append(i).append(": &a").append(i).append(" [");
            for (int k = 0; k < 10; k++) {
                y.append(k == 0 ? "" : ", ").append("*a").append(i - 1);
            }
            y.append("]\n");
        }
        y.append("paths:\n  /a:\n    get:\n      responses: {'200': {description: ok}}\n");
        SpecException e = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> refused(y.toString()));
        assertTrue(e.getMessage().contains("aliases are expanded"), e.getMessage());
    }

    @Test
    void ordinaryYamlAliasesLoad() throws Exception {
        ApiSpec spec = load("""
            openapi: 3.0.0
            info: {title: t, version: '1'}
            x-ok: &ok {description: ok}
            paths:
              /a:
                get:
                  responses: {'200': *ok}
              /b:
                get:
                  responses: {'200': *ok}
            """);
        assertEquals(2, spec.operations().size());
    }

    // ------------------------------------------------------------ size limit

    @Test
    void aThirtyMegabyteUploadIsRefusedBeforeParsing(@TempDir Path dir) throws Exception {
        int size = 30 * 1024 * 1024;
        byte[] big = new byte[size];
        byte[] head = "openapi: 3.0.0\n# ".getBytes(StandardCharsets.US_ASCII);
        java.util.Arrays.fill(big, (byte) 'x');
        System.arraycopy(head, 0, big, 0, head.length);
        SpecException e = assertThrows(SpecException.class, () -> loader.load(big));
        assertEquals("spec too large: 31457280 bytes, the limit is 26214400 bytes (25 MiB); split the spec or raise the limit",
            e.getMessage());

        Path file = dir.resolve("big.yaml");
        Files.write(file, big);
        assertTrue(assertThrows(SpecException.class, () -> loader.load(file)).getMessage().startsWith("spec too large"));

        // a stream is read no further than the limit plus one byte
        CountingStream in = new CountingStream(big);
        assertTrue(assertThrows(SpecException.class, () -> loader.load(in)).getMessage().startsWith("spec too large"));
        assertTrue(in.read <= SpecLoader.DEFAULT_MAX_BYTES + 1 + 8192, "read " + in.read + " bytes");
    }

    @Test
    void theLimitIsAConstructorParameter() throws Exception {
        String spec = "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses: {'200': {description: ok}}\n";
        SpecLoader small = new SpecLoader(spec.length() - 1);
        assertTrue(assertThrows(SpecException.class, () -> small.load(spec.getBytes(StandardCharsets.UTF_8)))
            .getMessage().startsWith("spec too large: " + spec.length() + " bytes"));
        assertEquals(1, new SpecLoader(spec.length()).load(new ByteArrayInputStream(spec.getBytes(StandardCharsets.UTF_8))).operations().size());
        assertThrows(IllegalArgumentException.class, () -> new SpecLoader(0));
    }

    @Test
    void anUploadTheHeapCannotParseIsRefusedBeforeParsingAndJsonGetsFurther() throws Exception {
        StringBuilder yaml = new StringBuilder("openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n");
        for (int i = 0; yaml.length() < 1 << 20; i++) {
            yaml.append("  /r").append(i).append("/{id}:\n    get: {responses: {'200': {description: ok}}}\n");
        }
        byte[] bytes = yaml.toString().getBytes(StandardCharsets.UTF_8);
        // 12 MiB of heap free: 1 MiB of YAML needs ~15
        SpecLoader smallHeap = new SpecLoader(SpecLoader.DEFAULT_MAX_BYTES, needed -> 12L << 20);
        SpecException refused = assertThrows(SpecException.class, () -> smallHeap.load(bytes));
        assertTrue(refused.getMessage().startsWith("spec too large for this service's memory: parsing 1 MiB of YAML"),
            refused.getMessage());
        assertTrue(refused.getMessage().contains("12 MiB is free") && refused.getMessage().contains("raise -Xmx"), refused.getMessage());
        // the same size as JSON needs ~8 MiB: it loads
        String json = "{\"openapi\": \"3.0.0\", \"info\": {\"title\": \"t\", \"version\": \"1\"}, \"x-pad\": \""
            + "a".repeat(1 << 20) + "\", \"paths\": {\"/a\": {\"get\": {\"responses\": {\"200\": {\"description\": \"ok\"}}}}}}";
        assertEquals(1, smallHeap.load(json.getBytes(StandardCharsets.UTF_8)).operations().size());
        // a spec accepted before loads at start whatever the heap looks like then
        assertTrue(smallHeap.loadAccepted(bytes).operations().size() > 1000);
        // and with this JVM's heap the YAML loads too
        assertTrue(new SpecLoader().load(bytes).operations().size() > 1000);
    }

    // ------------------------------------------------------------ remote references are never fetched

    @Test
    void remoteRefsInOpenApi31AreNeverFetched() throws Exception {
        try (CountingServer server = new CountingServer()) {
            String base = "http://127.0.0.1:" + server.port();
            ApiSpec spec = load("""
                openapi: 3.1.0
                info: {title: remote, version: '1'}
                jsonSchemaDialect: %1$s/dialect
                paths:
                  /pets:
                    get:
                      parameters:
                        - $ref: '%1$s/params.yaml#/limit'
                      responses:
                        '200':
                          description: ok
                          content:
                            application/json:
                              schema:
                                $ref: '%1$s/schemas/pet.yaml#/Pet'
                  /remote-item:
                    $ref: '%1$s/paths/item.yaml'
                  /local-item:
                    $ref: '#/components/pathItems/Local'
                components:
                  pathItems:
                    Local:
                      get:
                        responses: {'200': {description: ok}}
                  schemas:
                    Id:
                      $id: '%1$s/id.json'
                      $ref: 'other.json'
                    File:
                      $ref: 'file:///etc/passwd'
                """.formatted(base));
            server.settle();
            assertEquals(0, server.connections(), "the loader connected to " + base);
            assertEquals(List.of("GET /pets", "GET /local-item"),
                spec.operations().stream().map(o -> o.method() + " " + o.pathTemplate()).collect(Collectors.toList()));
            String messages = String.join("\n", spec.messages());
            assertTrue(messages.contains("5 remote $refs not fetched"), messages);
            assertTrue(messages.contains("'" + base + "/schemas/pet.yaml#/Pet' at /paths/~1pets/get/responses/200/content/application~1json/schema"), messages);
            assertTrue(messages.contains("'file:///etc/passwd'"), messages);
            assertTrue(messages.contains("path /remote-item: its $ref '" + base + "/paths/item.yaml' is outside the upload and was not fetched"), messages);
        }
    }

    @Test
    void remoteRefsInOpenApi30AndSwagger20AreNeverFetched() throws Exception {
        try (CountingServer server = new CountingServer()) {
            String base = "http://127.0.0.1:" + server.port();
            ApiSpec v3 = load("""
                {"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
                 "paths": {"/a": {"get": {"responses": {"200": {"$ref": "%1$s/responses.json#/ok"}}}},
                           "/b": {"$ref": "%1$s/b.json"}}}
                """.formatted(base));
            ApiSpec v2 = load("""
                swagger: '2.0'
                info: {title: t, version: '1'}
                host: api.example.com
                basePath: /v1
                paths:
                  /a:
                    get:
                      parameters: [{$ref: '%1$s/params.yaml#/p'}]
                      responses:
                        '200': {description: ok, schema: {$ref: '%1$s/defs.yaml#/A'}}
                  /b:
                    $ref: '%1$s/paths.yaml#/b'
                definitions:
                  X: {$ref: '%1$s/x.yaml'}
                """.formatted(base));
            server.settle();
            assertEquals(0, server.connections(), "the loader connected to " + base);
            assertEquals(1, v3.operations().size());
            assertTrue(String.join("\n", v3.messages()).contains("2 remote $refs not fetched"), v3.messages().toString());
            assertTrue(v2.operations().stream().anyMatch(o -> o.pathTemplate().equals("/a")));
            assertTrue(String.join("\n", v2.messages()).contains("remote $refs not fetched"), v2.messages().toString());
            assertTrue(String.join("\n", v2.messages()).contains(base + "/defs.yaml#/A"), v2.messages().toString());
        }
    }

    @Test
    void refsInsideTheUploadResolveForPathItems() throws Exception {
        ApiSpec spec = load("""
            openapi: 3.0.3
            info: {title: t, version: '1'}
            paths:
              /a:
                get: {responses: {'200': {description: ok}}}
              /also-a:
                $ref: '#/paths/~1a'
              /missing:
                $ref: '#/paths/~1nowhere'
            """);
        assertEquals(List.of("/a", "/also-a"), spec.operations().stream().map(Operation::pathTemplate).toList());
        assertTrue(spec.messages().stream().anyMatch(m -> m.contains("path /missing: $ref '#/paths/~1nowhere' does not resolve")),
            spec.messages().toString());
    }

    @Test
    void dataThatLooksLikeARefIsNotReported() throws Exception {
        // GitHub's SCIM examples carry member links under "$ref": data, not references
        ApiSpec spec = load("""
            openapi: 3.0.3
            info: {title: t, version: '1'}
            paths:
              /groups:
                get:
                  responses:
                    '200':
                      description: ok
                      content:
                        application/json:
                          example: {members: [{$ref: 'https://api.example.com/Users/1'}]}
                          examples:
                            one: {value: {members: [{$ref: 'https://api.example.com/Users/2'}]}}
            """);
        assertTrue(spec.messages().stream().noneMatch(m -> m.contains("remote $ref")), spec.messages().toString());
    }

    // ------------------------------------------------------------ servers

    @Test
    void serverVariablesPastTheBoundBindEveryVariablesDefault() throws Exception {
        // 100 x 100 x 100 URLs: past the bound after the first variable; the others' defaults are still substituted
        StringBuilder enums = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            enums.append(i == 0 ? "" : ", ").append("'").append(i).append("'");
        }
        ApiSpec spec = load("openapi: 3.0.3\ninfo: {title: t, version: '1'}\nservers:\n"
            + "  - url: http://{h}.example.com:{p}/{b}\n    variables:\n"
            + "      h: {default: a, enum: [" + enums + "]}\n      p: {default: '8080', enum: [" + enums + "]}\n"
            + "      b: {default: v1, enum: [" + enums + "]}\n"
            + "paths:\n  /a:\n    get: {responses: {'200': {description: ok}}}\n");
        assertEquals(List.of("a.example.com:8080 /v1"), spec.servers().stream().map(s -> s.host() + " " + s.basePath()).toList());
        assertTrue(spec.messages().stream().anyMatch(m -> m.contains("only the defaults are bound")), spec.messages().toString());
        assertTrue(spec.messages().stream().noneMatch(m -> m.contains("not a number")), spec.messages().toString());
    }

    @Test
    void anIpv6HostWithoutItsClosingBracketIsNoHost() throws Exception {
        ApiSpec spec = load("openapi: 3.0.3\ninfo: {title: t, version: '1'}\nservers:\n  - url: 'http://[::1/v1'\n"
            + "paths:\n  /a:\n    get: {responses: {'200': {description: ok}}}\n");
        assertEquals(List.of("null /v1"), spec.servers().stream().map(s -> s.host() + " " + s.basePath()).toList());
        assertTrue(spec.messages().stream().anyMatch(m -> m.contains("no usable host")), spec.messages().toString());
        assertEquals("[::1]:8080", load("openapi: 3.0.3\ninfo: {title: t, version: '1'}\nservers:\n  - url: 'http://[::1]:8080/'\n"
            + "paths:\n  /a:\n    get: {responses: {'200': {description: ok}}}\n").servers().get(0).host());
    }

    @Test
    void serverHostsAndPortsThatNoRequestCarriesAreNotedAndAnOverrideWithOneIsRefused() throws Exception {
        ApiSpec spec = load("openapi: 3.0.3\ninfo: {title: t, version: '1'}\nservers:\n"
            + "  - url: 'http://api.example.com:99999/v1'\n  - url: 'http://ex ample.com/v2'\n"
            + "  - url: 'ftp://files.example.com/v3'\n  - url: 'http://api.example.com:0/v4'\n"
            + "paths:\n  /a:\n    get: {responses: {'200': {description: ok}}}\n");
        // port 99999 was bound as host "api.example.com:99999", which the route table refused: its routes were lost
        assertEquals(List.of("api.example.com /v1", "null /v2", "files.example.com /v3", "api.example.com /v4"),
            spec.servers().stream().map(s -> s.host() + " " + s.basePath()).toList());
        String notes = spec.messages().toString();
        assertTrue(notes.contains("port '99999' is not a TCP port"), notes);
        assertTrue(notes.contains("port '0' is not a TCP port"), notes);
        assertTrue(notes.contains("'ex ample.com' is not a host name"), notes);
        assertTrue(notes.contains("scheme 'ftp' is not HTTP"), notes);
        RouteTrie<Operation> trie = RouteTrie.build(spec.routeEntries());
        assertTrue(trie.warnings().isEmpty(), trie.warnings().toString());
        assertEquals("/a", trie.find("api.example.com:8080", "GET", "/v1/a").payload().pathTemplate());

        for (String url : List.of("http://gw.example.com:99999/", "ftp://gw.example.com/", "http://gw example.com/",
            "https://gw.example.com:-1/", "http://<script>/")) {
            SpecException e = assertThrows(SpecException.class, () -> SpecLoader.serverOverride(url), url);
            assertTrue(e.getMessage().startsWith("unusable server URL: server " + url), e.getMessage());
        }
        assertEquals("gw.example.com:65535", SpecLoader.serverOverride("http://GW.example.com:65535/x").host());
        assertEquals("[fe80::1%25eth0]", SpecLoader.serverOverride("http://[fe80::1%25eth0]/").host());
        assertEquals("xn--bcher-kva.example", SpecLoader.serverOverride("https://xn--bcher-kva.example").host());
    }

    @Test
    void openApiServersBindHostsAndBasePaths() throws Exception {
        ApiSpec spec = load("""
            openapi: 3.0.3
            info: {title: t, version: '1'}
            servers:
              - url: https://{region}.api.example.com:{port}/v{version}/
                variables:
                  region: {default: eu, enum: [eu, us]}
                  port: {default: '8443'}
                  version: {default: '2'}
              - url: http://LOCALHOST:80/
              - url: https://api.example.com:443
              - url: //cdn.example.net/static
              - url: /relative/base
              - url: v3
            paths:
              /a:
                get: {responses: {'200': {description: ok}}}
                servers: [{url: 'https://uploads.example.com/up'}]
              /b:
                get: {responses: {'200': {description: ok}}}
            """);
        assertEquals(List.of("eu.api.example.com:8443 /v2", "us.api.example.com:8443 /v2", "localhost ", "api.example.com ",
                "cdn.example.net /static", "null /relative/base", "null /v3"),
            spec.servers().stream().map(s -> s.host() + " " + s.basePath()).toList());
        Operation a = spec.operations().get(0);
        assertEquals(List.of("uploads.example.com /up"), spec.serversOf(a).stream().map(s -> s.host() + " " + s.basePath()).toList());
        RouteTrie<Operation> trie = RouteTrie.build(spec.routeEntries());
        assertEquals(a, trie.find("uploads.example.com", "GET", "/up/a").payload());
        assertNull(trie.find("uploads.example.com", "GET", "/up/b"));
        assertEquals("/b", trie.find("us.api.example.com:8443", "GET", "/v2/b").payload().pathTemplate());
        assertNull(trie.find("us.api.example.com", "GET", "/v2/b"), "that server is bound to port 8443");
        assertEquals("/b", trie.find("unknown.example.org", "GET", "/relative/base/b").payload().pathTemplate());
        assertEquals("/b", trie.find(null, "GET", "/v3/b").payload().pathTemplate());
    }

    @Test
    void noServersMeansTheRootOfAnyHost() throws Exception {
        ApiSpec spec = load("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get: {}\n");
        assertEquals(List.of(new ServerBinding(null, "", "/")), spec.servers());
    }

    @Test
    void swagger2HostAndBasePath() throws Exception {
        ApiSpec spec = load("""
            swagger: '2.0'
            info: {title: t, version: '1'}
            host: API.example.com:443
            basePath: /v1/
            schemes: [https]
            paths:
              /a: {get: {responses: {'200': {description: ok}}}}
            """);
        assertEquals(List.of("api.example.com /v1"), spec.servers().stream().map(s -> s.host() + " " + s.basePath()).toList());
        ApiSpec noHost = load("swagger: '2.0'\ninfo: {title: t, version: '1'}\nbasePath: /api\npaths:\n  /a: {get: {responses: {'200': {description: ok}}}}\n");
        assertEquals(List.of("null /api"), noHost.servers().stream().map(s -> s.host() + " " + s.basePath()).toList());
        ApiSpec port = load("swagger: '2.0'\ninfo: {title: t, version: '1'}\nhost: localhost:8080\npaths:\n  /a: {get: {responses: {'200': {description: ok}}}}\n");
        assertEquals("localhost:8080", port.servers().get(0).host());
    }

    @Test
    void serversCanBeOverridden() throws Exception {
        ApiSpec spec = load("""
            openapi: 3.0.3
            info: {title: t, version: '1'}
            servers: [{url: 'https://api.example.com/v1'}]
            paths:
              /a: {get: {responses: {'200': {description: ok}}}, servers: [{url: 'https://up.example.com'}]}
            """).withServers(List.of(new ServerBinding("gateway.internal:8080", "/example", "override")));
        RouteTrie<Operation> trie = RouteTrie.build(spec.routeEntries());
        assertEquals("/a", trie.find("gateway.internal:8080", "GET", "/example/a").payload().pathTemplate());
        assertNull(trie.find("up.example.com", "GET", "/a"));
    }

    // ------------------------------------------------------------ scale

    @Test
    void aGeneratedSpecWithFiveThousandPathsLoadsAndEveryPathMatches() throws Exception {
        StringBuilder json = new StringBuilder("{\"openapi\": \"3.0.3\", \"info\": {\"title\": \"big\", \"version\": \"1\"},"
            + " \"servers\": [{\"url\": \"https://big.example.com/api\"}], \"paths\": {");
        for (int i = 0; i < 5_000; i++) {
            String path = switch (i % 4) {
                case 0 -> "/group" + i % 97 + "/items" + i;
                case 1 -> "/group" + i % 97 + "/{groupId}/members" + i;
                case 2 -> "/files" + i + "/{name}.{ext}";
                default -> "/v1/jobs" + i + "/{id}:cancel";
            };
            json.append(i == 0 ? "" : ",").append('"').append(path).append("\": {\"get\": {\"operationId\": \"op")
                .append(i).append("\", \"responses\": {\"200\": {\"description\": \"ok\"}}}}");
        }
        json.append("}}");
        long t0 = System.nanoTime();
        ApiSpec spec = load(json.toString());
        long loadMs = (System.nanoTime() - t0) / 1_000_000;
        RouteTrie<Operation> trie = RouteTrie.build(spec.routeEntries());
        assertEquals(5_000, spec.operations().size());
        assertEquals(List.of(), trie.warnings());
        int matched = 0;
        for (Operation op : spec.operations()) {
            String path = "/api" + op.pathTemplate().replaceAll("\\{[^}]+}", "x1");
            Match<Operation> m = trie.find("big.example.com", "GET", path);
            if (m != null && m.payload() == op) {
                matched++;
            }
        }
        assertEquals(5_000, matched);
        System.out.printf("generated spec: 5,000 paths, %d bytes, loaded in %d ms%n", json.length(), loadMs);
    }

    // ------------------------------------------------------------ helpers

    /** A listening socket on 127.0.0.1 that accepts and counts every connection made to it. */
    static final class CountingServer implements AutoCloseable {
        private final ServerSocket socket;
        private final AtomicInteger connections = new AtomicInteger();
        private final Thread acceptor;

        CountingServer() throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            acceptor = new Thread(() -> {
                while (!socket.isClosed()) {
                    try (Socket s = socket.accept()) {
                        connections.incrementAndGet();
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "counting-server");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        int connections() {
            return connections.get();
        }

        /** Gives a connection that may be under way the time to be counted. */
        void settle() throws InterruptedException {
            Thread.sleep(300);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** An input stream over bytes that counts what was read from it. */
    static final class CountingStream extends InputStream {
        private final byte[] bytes;
        long read;

        CountingStream(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public int read() {
            return read < bytes.length ? bytes[(int) read++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (read >= bytes.length) {
                return -1;
            }
            int n = (int) Math.min(len, bytes.length - read);
            System.arraycopy(bytes, (int) read, b, off, n);
            read += n;
            return n;
        }

        @Override
        public int available() {
            return (int) (bytes.length - read);
        }
    }
}
