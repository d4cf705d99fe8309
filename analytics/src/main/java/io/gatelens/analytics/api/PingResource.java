package io.gatelens.analytics.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

@Path("/api/ping")
public class PingResource {
    @GET
    public String ping() { return "ok"; }
}
