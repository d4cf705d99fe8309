package io.gatelens.analytics.catalog;

import io.gatelens.analytics.spec.SpecException;
import io.gatelens.analytics.spec.SpecLoader;
import io.gatelens.analytics.store.StatsStore;
import io.gatelens.analytics.store.StoreSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The catalog over a real DuckDB store: a spec's bytes live in the store, not beside its parsed form. */
class SpecCatalogTest {
    @TempDir
    Path dir;

    private static byte[] spec(String title, String path) {
        return ("""
            openapi: 3.0.3
            info: {title: %s, version: '1'}
            servers: [{url: 'http://api.example.com/v1'}]
            paths:
              %s:
                get:
                  operationId: op
                  responses: {'200': {description: ok}}
            """.formatted(title, path)).getBytes(StandardCharsets.UTF_8);
    }

    private SpecCatalog catalog(StatsStore store) {
        return new SpecCatalog(store, new SpecLoader(), new InMemoryEndpointIds(), Clock.systemUTC());
    }

    @Test
    void contentIsReadFromTheStoreThroughUploadRebindAndRestart() throws Exception {
        byte[] pets = spec("Pets", "/pets");
        Path db = dir.resolve("g.duckdb");
        try (StatsStore store = StatsStore.open(db, StoreSettings.DEFAULTS)) {
            SpecCatalog catalog = catalog(store);
            catalog.start(null);
            SpecCatalog.Entry entry = catalog.put("pets", pets, List.of(), "upload");
            assertNull(entry.record().content(), "the entry holds the parsed spec only");
            assertArrayEquals(pets, catalog.content("pets").orElseThrow());

            SpecCatalog.Entry rebound = catalog.rebind("pets", List.of("https://gw.example.net/pets-api")).orElseThrow();
            assertEquals(2, rebound.record().version());
            assertArrayEquals(pets, catalog.content("pets").orElseThrow(), "a rebind keeps the bytes uploaded");
            assertEquals("gw.example.net", rebound.spec().servers().get(0).host());
            assertTrue(catalog.content("nothing").isEmpty());
        }
        // a folder file with the stored bytes is no new version; changed bytes are
        Path folder = Files.createDirectories(dir.resolve("specs"));
        Files.write(folder.resolve("pets.yaml"), pets);
        try (StatsStore store = StatsStore.open(db, StoreSettings.DEFAULTS)) {
            SpecCatalog catalog = catalog(store);
            catalog.start(folder);
            SpecCatalog.Entry entry = catalog.get("pets").orElseThrow();
            assertEquals(2, entry.record().version());
            assertNull(entry.record().content());
            assertEquals(List.of("https://gw.example.net/pets-api"), entry.record().serversOverride());
            assertArrayEquals(pets, catalog.content("pets").orElseThrow());
        }
        byte[] changed = spec("Pets", "/pets/{id}");
        Files.write(folder.resolve("pets.yaml"), changed);
        try (StatsStore store = StatsStore.open(db, StoreSettings.DEFAULTS)) {
            SpecCatalog catalog = catalog(store);
            catalog.start(folder);
            assertEquals(3, catalog.get("pets").orElseThrow().record().version());
            assertArrayEquals(changed, catalog.content("pets").orElseThrow());
            assertEquals("/pets/{id}", catalog.get("pets").orElseThrow().spec().operations().get(0).pathTemplate());
        }
    }

    @Test
    void aRebindWhoseStoredContentIsGoneIsRefusedAndTheSpecStays() throws Exception {
        try (StatsStore store = StatsStore.open(dir.resolve("g.duckdb"), StoreSettings.DEFAULTS)) {
            SpecCatalog catalog = catalog(store);
            catalog.start(null);
            catalog.put("pets", spec("Pets", "/pets"), List.of(), "upload");
            try (var files = Files.list(dir.resolve("g.duckdb.specs"))) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            SpecException e = assertThrows(SpecException.class,
                () -> catalog.rebind("pets", List.of("https://gw.example.net")));
            assertTrue(e.getMessage().contains("cannot be read"), e.getMessage());
            assertEquals(1, catalog.get("pets").orElseThrow().record().version());
            assertEquals(1, catalog.routes().operations().size(), "its routes still match");
        }
    }
}
