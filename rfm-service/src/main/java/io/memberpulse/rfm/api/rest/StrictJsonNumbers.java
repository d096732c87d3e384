package io.memberpulse.rfm.api.rest;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * A whole number in a request body must be one: Jackson would read {@code "minOrders30d": 2.5} as 2 and retune a
 * segment on a figure nobody asked for. Refused instead, as a 400 naming the field (proto's JsonBodyProblems).
 */
@Singleton
public class StrictJsonNumbers implements ObjectMapperCustomizer {
    @Override
    public void customize(ObjectMapper mapper) {
        mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
    }
}
