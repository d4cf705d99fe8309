package io.gatelens.analytics.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.*;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spec API against the running service: uploads, versions, bindings, and every way a spec is refused. */
@QuarkusTest
class SpecApiTest {
    private static final String PETS_V1 = """
        openapi: 3.0.3
        info: {title: Pet Store, version: "1"}
        servers: [{url: "https://pets.example.com/v1"}]
        paths:
          /pets/{petId}:
            get: {operationId: getPet, responses: {'200': {description: ok}}}
          /pets:
            get: {operationId: listPets, responses: {'200': {description: ok}}}
        """;
    private static final String PETS_V2 = PETS_V1.replace("version: \"1\"", "version: \"2\"") + """
          /owners:
            get: {operationId: listOwners, responses: {'200': {description: ok}}}
        """;

    static {
        // send YAML strings as text
        io.restassured.RestAssured.config = io.restassured.RestAssured.config().encoderConfig(
            io.restassured.config.EncoderConfig.encoderConfig()
                .encodeContentTypeAs("application/yaml", io.restassured.http.ContentType.TEXT));
    }

    @Test
    void uploadListFetchReplaceAndDelete() {
        given().contentType("application/yaml").body(PETS_V1).post("/api/specs?name=pets-crud")
            .then().statusCode(201).header("Location", endsWith("/api/specs/pets-crud"))
            .body("name", is("pets-crud"), "version", is(1), "title", is("Pet Store"), "operations", is(2),
                "servers[0].host", is("pets.example.com"), "servers[0].basePath", is("/v1"));
        int getPet = given().get("/api/specs/pets-crud").then().statusCode(200)
            .extract().path("operations.find { it.operationId == 'getPet' }.endpointId");

        given().contentType("application/yaml").body(PETS_V2).put("/api/specs/pets-crud")
            .then().statusCode(200).body("version", is(2), "operations", is(3));
        given().get("/api/specs/pets-crud").then().statusCode(200)
            .body("operations.find { it.operationId == 'getPet' }.endpointId", is(getPet),
                "operations.size()", is(3));
        assertEquals(PETS_V2, given().get("/api/specs/pets-crud/content").then().statusCode(200)
            .extract().asString());
        given().get("/api/specs").then().statusCode(200).body("name", hasItem("pets-crud"));

        given().delete("/api/specs/pets-crud").then().statusCode(204);
        given().get("/api/specs/pets-crud").then().statusCode(404).body("error", containsString("pets-crud"));
        given().delete("/api/specs/pets-crud").then().statusCode(404);
    }

    @jakarta.inject.Inject
    io.gatelens.analytics.store.StatsStore store;

    @Test
    void aSpecTheStoreCannotWriteIsA503ThatSaysWhyAndTheStoredVersionStays() throws Exception {
        given().contentType("application/yaml").body(PETS_V1).post("/api/specs?name=pets-store")
            .then().statusCode(201).body("version", is(1));
        // the content files' folder turned into a file: the next content cannot be written
        Path folder = store.file().resolveSibling(store.file().getFileName() + ".specs");
        Path aside = folder.resolveSibling(folder.getFileName() + ".aside");
        Files.move(folder, aside);
        Files.writeString(folder, "not a folder");
        try {
            given().contentType("application/yaml").body(PETS_V2).put("/api/specs/pets-store")
                .then().statusCode(503).contentType(ContentType.JSON)
                .body("error", containsString("cannot write a spec's content"));
            given().get("/api/specs/pets-store").then().statusCode(200).body("spec.version", is(1), "operations.size()", is(2));
        } finally {
            Files.delete(folder);
            Files.move(aside, folder);
        }
        assertEquals(PETS_V1, given().get("/api/specs/pets-store/content").then().statusCode(200).extract().asString());
        given().contentType("application/yaml").body(PETS_V2).put("/api/specs/pets-store")
            .then().statusCode(200).body("version", is(2));
        given().delete("/api/specs/pets-store").then().statusCode(204);
    }

    @Test
    void operationsThatTheRouteTableCannotTakeAreNamedInTheSpecsMessages() {
        given().contentType("application/yaml").body(PETS_V1).post("/api/specs?name=pets-first")
            .then().statusCode(201).body("messages", everyItem(not(containsString("never matches"))));
        // the same server and paths again, and a path deeper than the route table takes
        StringBuilder deep = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            deep.append("/s").append(i);
        }
        String second = PETS_V1.replace("/pets/{petId}:", "/pets/{id}:") + "  " + deep + ":\n"
            + "    get: {responses: {'200': {description: ok}}}\n";
        given().contentType("application/yaml").body(second).post("/api/specs?name=pets-second")
            .then().statusCode(201).body("operations", is(3), "messages", hasItems(
                "GET /pets/{id} on pets.example.com never matches: spec 'pets-first''s GET /pets/{petId} is the same path and comes first",
                "GET /pets on pets.example.com never matches: spec 'pets-first''s GET /pets is the same path and comes first"))
            .body("messages.find { it.contains('more than 128 segments') }", notNullValue());
        given().get("/api/specs/pets-first").then().statusCode(200)
            .body("spec.messages", everyItem(not(containsString("never matches"))));
        given().get("/api/status").then().statusCode(200).body("specs.routeWarnings",
            hasItem("spec 'pets-second': GET /pets on pets.example.com never matches: spec 'pets-first''s GET /pets is the same path and comes first"));
        given().delete("/api/specs/pets-first").then().statusCode(204);
        // with the first gone, the second's paths match: only the deep one is left
        given().get("/api/specs/pets-second").then().statusCode(200)
            .body("spec.messages", everyItem(not(containsString("never matches"))))
            .body("spec.messages.find { it.contains('more than 128 segments') }", notNullValue());
        given().delete("/api/specs/pets-second").then().statusCode(204);
    }

    @Test
    void multipartUploadsAreNamedAfterTheirFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("petstore-prod.yaml");
        Files.writeString(file, PETS_V1);
        given().multiPart("file", file.toFile(), "application/yaml").post("/api/specs")
            .then().statusCode(201).body("name", is("petstore-prod"), "source", is("upload"));
        given().delete("/api/specs/petstore-prod").then().statusCode(204);
    }

    @Test
    void aGatewayRewriteBindsTheSpecElsewhere() {
        given().contentType(ContentType.JSON).body(toJson(PETS_V1)).post("/api/specs?name=pets-gw&server=https://gw.example.com:8443/petstore")
            .then().statusCode(201).body("serversOverridden", is(true),
                "servers[0].host", is("gw.example.com:8443"), "servers[0].basePath", is("/petstore"));
        given().contentType(ContentType.JSON).body("[]").put("/api/specs/pets-gw/servers")
            .then().statusCode(200).body("serversOverridden", is(false), "servers[0].host", is("pets.example.com"),
                "version", is(2));
        given().contentType(ContentType.JSON).body("[\"https://{tenant}.example.com\"]").put("/api/specs/pets-gw/servers")
            .then().statusCode(400).body("error", containsString("server URL"));
        // bodies that are no list of URLs: the same JSON error, not the framework's empty 400
        for (String body : List.of("{\"url\": \"https://gw.example.com\"}", "[", "\"https://gw.example.com\"", "[[1]]")) {
            given().contentType(ContentType.JSON).body(body).put("/api/specs/pets-gw/servers")
                .then().statusCode(400).contentType(ContentType.JSON).body("error", startsWith("the body is not"));
        }
        given().get("/api/specs/pets-gw").then().statusCode(200).body("spec.version", is(2));
        // and the framework's other refusals carry the same JSON
        given().contentType(ContentType.TEXT).body("https://gw.example.com").put("/api/specs/pets-gw/servers")
            .then().statusCode(415).contentType(ContentType.JSON).body("status", is(415), "error", not(emptyOrNullString()));
        given().get("/api/no-such-thing").then().statusCode(404).contentType(ContentType.JSON).body("status", is(404));
        given().patch("/api/specs/pets-gw").then().statusCode(405).contentType(ContentType.JSON).body("status", is(405));
        given().delete("/api/specs/pets-gw").then().statusCode(204);
    }

    @Test
    void brokenYamlIsA400WithTheParsersMessagesAndLosesNothing() {
        given().contentType("application/yaml").body(PETS_V1).post("/api/specs?name=keeper").then().statusCode(201);
        Response r = given().contentType("application/yaml").body("openapi: 3.0.3\npaths: {/a: [unclosed\n")
            .post("/api/specs?name=broken");
        r.then().statusCode(400).contentType(ContentType.JSON).body("error", not(emptyOrNullString()));
        assertFalse(r.jsonPath().getList("messages").isEmpty() && r.jsonPath().getString("error").isBlank());
        given().contentType("application/yaml").body("{\"swagger\": \"2.0\"}").put("/api/specs/keeper")
            .then().statusCode(400);
        given().get("/api/specs/keeper").then().statusCode(200).body("spec.version", is(1), "operations.size()", is(2));
        given().get("/api/specs/broken").then().statusCode(404);
        given().delete("/api/specs/keeper").then().statusCode(204);
    }

    @Test
    void remoteRefsAreNeverFetched() throws Exception {
        AtomicInteger fetched = new AtomicInteger();
        HttpServer bait = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        bait.createContext("/", ex -> {
            fetched.incrementAndGet();
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        bait.start();
        try {
            String url = "http://127.0.0.1:" + bait.getAddress().getPort();
            String spec = """
                openapi: 3.1.0
                info: {title: Remote, version: "1"}
                paths:
                  /local:
                    get: {operationId: local, responses: {'200': {description: ok}}}
                  /stolen:
                    $ref: 'URL/paths/stolen.yaml'
                """.replace("URL", url);
            given().contentType("application/yaml").body(spec).post("/api/specs?name=remote")
                .then().statusCode(400)
                .body("error", containsString("never fetched"),
                    "messages", hasItem(containsString("outside the upload and was not fetched")));
            // a remote schema only: the routes are complete, the spec loads and says what it skipped
            String schemaOnly = """
                openapi: 3.1.0
                info: {title: Remote schema, version: "1"}
                paths:
                  /local:
                    get:
                      responses:
                        '200':
                          description: ok
                          content: {application/json: {schema: {$ref: 'URL/schemas/pet.json'}}}
                """.replace("URL", url);
            given().contentType("application/yaml").body(schemaOnly).post("/api/specs?name=remote-schema")
                .then().statusCode(201).body("messages", hasItem(containsString("not fetched")));
            given().delete("/api/specs/remote-schema").then().statusCode(204);
            assertEquals(0, fetched.get(), "the service fetched a remote $ref");
        } finally {
            bait.stop(0);
        }
    }

    @Test
    void aSpecOverTheSizeLimitIsA413ThatSaysSo() {
        StringBuilder big = new StringBuilder(31 * 1024 * 1024).append("openapi: 3.0.3\ninfo: {title: big, version: '1'}\n");
        big.append("x-padding: '");
        while (big.length() < 30 * 1024 * 1024) {
            big.append("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
        }
        big.append("'\npaths: {}\n");
        given().contentType("application/yaml").body(big.toString().getBytes(StandardCharsets.UTF_8))
            .post("/api/specs?name=huge")
            .then().statusCode(413).body("error", containsString("spec too large"));
        given().get("/api/specs/huge").then().statusCode(404);
    }

    @Test
    void aSpecJustUnderTheSizeLimitIsKeptWhole() {
        // 24 MB: DuckDB could not store it as one BLOB (a 500 before spec_parts); below the 25 MB limit, it is a spec like any other
        // the bulk in notes of 1 MB each (Jackson refuses a single string over 20 MB with a clear 400)
        StringBuilder big = new StringBuilder(25 * 1024 * 1024)
            .append("{\"openapi\": \"3.0.3\", \"info\": {\"title\": \"near-limit\", \"version\": \"1\", \"x-notes\": [\"");
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(5);
        for (int note = 1; big.length() < 24 * 1024 * 1024; ) {
            big.append(Long.toString(rnd.nextLong(), 36)).append(' ');
            if (big.length() > note * 1024 * 1024) {
                big.append("\", \"");
                note++;
            }
        }
        big.append("\"]}, \"paths\": {\"/items/{id}\": {\"get\": {\"operationId\": \"getItem\", \"parameters\": [{\"name\": \"id\", "
            + "\"in\": \"path\", \"required\": true, \"schema\": {\"type\": \"string\"}}], \"responses\": {\"200\": {\"description\": \"ok\"}}}}}}");
        byte[] body = big.toString().getBytes(StandardCharsets.UTF_8);
        given().contentType("application/json").body(body).post("/api/specs?name=near-limit")
            .then().statusCode(201).body("operations", is(1));
        byte[] kept = given().get("/api/specs/near-limit/content").then().statusCode(200).extract().asByteArray();
        org.junit.jupiter.api.Assertions.assertArrayEquals(body, kept);
        given().delete("/api/specs/near-limit").then().statusCode(204);
    }

    @Test
    void bindingASpecToMoreHostsThanItsRoutesMayTakeIsA400AndKeepsTheSpecAsItWas() {
        // 600 operations on 200 servers: 120,000 routes, each host a route table of its own
        StringBuilder spec = new StringBuilder("openapi: 3.0.3\ninfo: {title: wide-hosts, version: '1'}\nservers:\n");
        for (int i = 0; i < 200; i++) {
            spec.append("  - url: http://h").append(i).append(".example.com\n");
        }
        spec.append("paths:\n");
        for (int i = 0; i < 600; i++) {
            spec.append("  /r").append(i).append(":\n    get: {responses: {'200': {description: ok}}}\n");
        }
        given().contentType("application/yaml").body(spec.toString()).post("/api/specs?name=wide-hosts")
            .then().statusCode(400).body("error", containsString("too many routes: the spec binds 120000"));
        given().get("/api/specs/wide-hosts").then().statusCode(404);

        given().contentType("application/yaml").body(PETS_V1).post("/api/specs?name=hosts")
            .then().statusCode(201).body("version", is(1));
        List<String> many = new java.util.ArrayList<>();
        for (int i = 0; i < 1_001; i++) {
            many.add("http://gw" + i + ".example.com");
        }
        given().contentType("application/json").body(many).put("/api/specs/hosts/servers")
            .then().statusCode(400).body("error", containsString("at most 1000 server URLs"));
        given().get("/api/specs/hosts").then().statusCode(200).body("spec.version", is(1))
            .body("spec.serversOverridden", is(false));
        given().delete("/api/specs/hosts").then().statusCode(204);
    }

    @Test
    void aSpecWithFiveThousandPathsLoadsWhole() {
        StringBuilder spec = new StringBuilder("openapi: 3.0.3\ninfo: {title: wide, version: '1'}\npaths:\n");
        for (int i = 0; i < 5_000; i++) {
            spec.append("  /r").append(i).append("/{id}:\n    get: {operationId: op").append(i)
                .append(", responses: {'200': {description: ok}}}\n");
        }
        given().contentType("application/yaml").body(spec.toString()).post("/api/specs?name=wide")
            .then().statusCode(201).body("operations", is(5_000));
        given().get("/api/specs/wide").then().statusCode(200).body("operations.size()", is(5_000));
        given().delete("/api/specs/wide").then().statusCode(204);
    }

    @Test
    void namesAndBodiesAreChecked() {
        given().contentType("application/yaml").body(PETS_V1).post("/api/specs?name=../../etc/passwd")
            .then().statusCode(400).body("error", containsString("spec name"));
        given().contentType("application/yaml").body("").post("/api/specs?name=empty")
            .then().statusCode(400).body("error", containsString("no spec"));
        given().contentType("application/yaml").body("just: text\n").post("/api/specs?name=notaspec")
            .then().statusCode(400);
    }

    @Test
    void theApiIsDocumented() {
        given().get("/q/openapi?format=json").then().statusCode(200)
            .body("paths.keySet()", hasItems("/api/endpoints", "/api/endpoints/{id}/series", "/api/specs",
                "/api/shadow-endpoints", "/api/zombie-endpoints", "/api/status"));
        given().get("/q/swagger-ui/").then().statusCode(200);
    }

    private static String toJson(String yaml) {
        try {
            var mapper = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
            return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(mapper.readTree(yaml));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

}
