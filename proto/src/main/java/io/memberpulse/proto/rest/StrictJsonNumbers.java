package io.memberpulse.proto.rest;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * A whole number in a request body must be one, in every service: Jackson would read {@code "members": 2.5} as 2
 * (an ROI for members nobody asked about) or {@code "version": 3.9} as 3 (another task version than the caller saw).
 * Refused instead, as a 400 naming the field ({@link JsonBodyProblems}). A bean every service finds in this jar's
 * index.
 */
@Singleton
public class StrictJsonNumbers implements ObjectMapperCustomizer {
    @Override
    public void customize(ObjectMapper mapper) {
        mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
    }
}
