package io.gatelens.analytics.spec;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * The shared corpus of real specs, read in place: {@code $GATELENS_CORPUS/openapi}, else
 * {@code ../../shared/corpus/openapi} from this module (tests run with the module as working
 * directory). Absent: the test is skipped with a message, or fails when GATELENS_REQUIRE_CORPUS=1.
 */
final class Corpus {
    private Corpus() {
    }

    static Path openapiDir() {
        String env = System.getenv("GATELENS_CORPUS");
        return env != null && !env.isBlank() ? Path.of(env, "openapi") : Path.of("../../shared/corpus/openapi");
    }

    static Path spec(String name) {
        Path p = openapiDir().resolve(name);
        if (!Files.isRegularFile(p)) {
            String msg = "corpus spec " + p.toAbsolutePath().normalize() + " not found; set GATELENS_CORPUS to the"
                + " folder that holds openapi/ (the project's ../shared/corpus)";
            if ("1".equals(System.getenv("GATELENS_REQUIRE_CORPUS"))) {
                fail(msg + " (GATELENS_REQUIRE_CORPUS=1, so this fails instead of skipping)");
            }
            Assumptions.abort(msg);
        }
        return p;
    }
}
