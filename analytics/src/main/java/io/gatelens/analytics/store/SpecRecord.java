package io.gatelens.analytics.store;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An OpenAPI spec as the catalog keeps it.
 *
 * @param name unique name of the spec
 * @param version incremented by the caller on each replace
 * @param uploadedAt when it was uploaded; stored with microsecond precision
 * @param source {@value #UPLOAD} or {@value #FOLDER}
 * @param content the raw upload, byte for byte; not copied, do not modify. Null in a record that
 *     stands for a stored spec without holding its content ({@link #withoutContent()}): a big spec's
 *     bytes are read from the store when asked for, not kept on the heap beside its parsed form
 * @param serversOverride server URLs to use instead of the spec's own; empty = the spec's own
 */
public record SpecRecord(String name, int version, Instant uploadedAt, String source, byte[] content,
                         List<String> serversOverride) {
    public static final String UPLOAD = "upload";
    public static final String FOLDER = "folder";

    public SpecRecord {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("spec name must not be blank");
        }
        Objects.requireNonNull(uploadedAt, "uploadedAt");
        if (!UPLOAD.equals(source) && !FOLDER.equals(source)) {
            throw new IllegalArgumentException("source must be \"" + UPLOAD + "\" or \"" + FOLDER + "\", got " + source);
        }
        serversOverride = List.copyOf(serversOverride == null ? List.of() : serversOverride);
    }

    /** This record without its content (which the store keeps). */
    public SpecRecord withoutContent() {
        return content == null ? this : new SpecRecord(name, version, uploadedAt, source, null, serversOverride);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SpecRecord r && name.equals(r.name) && version == r.version && uploadedAt.equals(r.uploadedAt)
            && source.equals(r.source) && Arrays.equals(content, r.content) && serversOverride.equals(r.serversOverride);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, version, uploadedAt, source, Arrays.hashCode(content), serversOverride);
    }

    @Override
    public String toString() {
        return "SpecRecord[name=" + name + ", version=" + version + ", uploadedAt=" + uploadedAt + ", source=" + source
            + ", content=" + (content == null ? "not held" : content.length + " bytes") + ", serversOverride=" + serversOverride + "]";
    }
}
