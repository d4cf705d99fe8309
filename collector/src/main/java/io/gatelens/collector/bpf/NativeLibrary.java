package io.gatelens.collector.bpf;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Loads libgatelens.so from the classpath (it is built into the collector jar). */
final class NativeLibrary {
    private static final String RESOURCE = "/io/gatelens/collector/native/libgatelens.so";
    private static volatile boolean loaded;

    private NativeLibrary() {}

    static synchronized void load() {
        if (loaded) {
            return;
        }
        try (InputStream in = NativeLibrary.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new CollectorException(CollectorException.Reason.NATIVE_LIBRARY,
                        "libgatelens.so is not on the classpath: build with ./mvnw package (Linux x86_64)");
            }
            Path tmp = Files.createTempFile("libgatelens", ".so");
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            tmp.toFile().deleteOnExit();
            System.load(tmp.toAbsolutePath().toString());
            loaded = true;
        } catch (IOException e) {
            throw new CollectorException(CollectorException.Reason.NATIVE_LIBRARY,
                    "cannot extract libgatelens.so: " + e.getMessage());
        } catch (UnsatisfiedLinkError e) {
            throw new CollectorException(CollectorException.Reason.NATIVE_LIBRARY,
                    "cannot load libgatelens.so (" + e.getMessage()
                            + "); install libbpf1, libelf1, libpcap0.8 and zlib1g");
        }
    }
}
