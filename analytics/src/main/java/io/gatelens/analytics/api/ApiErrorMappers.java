package io.gatelens.analytics.api;

import io.gatelens.analytics.spec.SpecException;
import io.gatelens.analytics.store.StoreException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.List;

/** Turns the API's refusals into JSON 4xx bodies (never a 500 for bad input). */
public class ApiErrorMappers {
    @ServerExceptionMapper
    public Response badParameter(BadParameterException e) {
        return error(400, e.getMessage(), List.of());
    }

    @ServerExceptionMapper
    public Response badSpec(SpecException e) {
        int status = e.getMessage() != null && e.getMessage().startsWith("spec too large") ? 413 : 400;
        return error(status, e.getMessage(), e.messages());
    }

    /** The store could not be written or read (a full disk, for one): the request may work later. */
    @ServerExceptionMapper
    public Response storeUnavailable(StoreException e) {
        return error(503, "the store cannot do this now: " + e.getMessage(), List.of());
    }

    @ServerExceptionMapper
    public Response illegalArgument(IllegalArgumentException e) {
        return error(400, e.getMessage(), List.of());
    }

    static Response error(int status, String message, List<String> messages) {
        return Response.status(status).type(MediaType.APPLICATION_JSON)
            .entity(new ApiError(status, message, messages)).build();
    }
}
