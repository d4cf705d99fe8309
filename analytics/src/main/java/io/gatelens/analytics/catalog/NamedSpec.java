package io.gatelens.analytics.catalog;

import io.gatelens.analytics.spec.ApiSpec;

/** A spec as the catalog holds it: its name (the key users upload and replace it under), version and content. */
public record NamedSpec(String name, int version, ApiSpec spec) {
}
