package io.gatelens.analytics.demo;

import io.gatelens.analytics.spec.ApiSpec;
import io.gatelens.analytics.spec.SpecLoader;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code openapi-specs/gatelens-demo.yaml} at the repository root, found from the test's working directory. */
final class DemoSpecFile {
    static final String RELATIVE = "openapi-specs/gatelens-demo.yaml";

    private DemoSpecFile() {
    }

    static Path path() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(RELATIVE);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException(RELATIVE + " not found above " + Path.of("").toAbsolutePath());
    }

    static ApiSpec load() throws Exception {
        return new SpecLoader().load(path());
    }
}
