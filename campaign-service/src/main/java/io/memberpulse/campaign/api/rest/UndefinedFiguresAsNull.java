package io.memberpulse.campaign.api.rest;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;
import java.io.IOException;

/**
 * An undefined figure (the domain's NaN: an uplift with an empty arm, an ROI with nothing spent, an interval below two
 * members) is written as JSON null. Jackson wrote the string "NaN" into a number field, which generated clients cannot
 * parse, in the state of every new campaign. The OpenAPI schema says which figures may be null
 * (UndefinedFiguresNullable). gRPC says the same with presence (GrpcMapper).
 */
@Singleton
class UndefinedFiguresAsNull implements ObjectMapperCustomizer {
    private static final StdSerializer<Double> FINITE_OR_NULL = new StdSerializer<>(Double.class) {
        @Override
        public void serialize(Double value, JsonGenerator json, SerializerProvider provider) throws IOException {
            if (Double.isFinite(value)) {
                json.writeNumber(value);
            } else {
                json.writeNull();
            }
        }
    };

    @Override
    public void customize(ObjectMapper mapper) {
        SimpleModule module = new SimpleModule("undefined-figures-as-null");
        module.addSerializer(Double.class, FINITE_OR_NULL);
        module.addSerializer(Double.TYPE, FINITE_OR_NULL);
        mapper.registerModule(module);
    }
}
