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

    /** A JSON body that is not the shape the resource takes (the framework's own mapper answers 400 with no body). */
    @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER - 100)
    public Response mismatchedJson(com.fasterxml.jackson.databind.exc.MismatchedInputException e) {
        return error(400, "the body is not the JSON this takes: " + e.getOriginalMessage(), List.of());
    }

    /**
     * The framework's refusals (a body that does not parse, an unsupported media type, a method not
     * allowed) come without a body: the same JSON error as ours, with the reason where there is one.
     * Responses that carry an entity (ours) pass unchanged.
     */
    @ServerExceptionMapper
    public Response framework(jakarta.ws.rs.WebApplicationException e) {
        Response r = e.getResponse();
        if (r.hasEntity()) {
            return r;
        }
        Throwable cause = e.getCause();
        String reason = cause instanceof com.fasterxml.jackson.core.JsonProcessingException j
            ? "the body is not the JSON this takes: " + j.getOriginalMessage()
            : e.getMessage();
        Response.ResponseBuilder out = Response.fromResponse(r).type(MediaType.APPLICATION_JSON)
            .entity(new ApiError(r.getStatus(), reason, List.of()));
        return out.build();
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
