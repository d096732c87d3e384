package io.memberpulse.proto.auth;

import io.grpc.CallCredentials;
import io.grpc.ClientInterceptor;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.util.concurrent.Executor;

/**
 * The client side of {@link BearerTokenMechanism}: sends {@code authorization: Bearer <token>} with each call,
 * for a stub ({@code stub.withCallCredentials(...)}) or, through {@link #interceptor()}, for every call of a
 * channel ({@code ManagedChannelBuilder.intercept(...)}), which takes no call credentials.
 */
public final class BearerTokenCallCredentials extends CallCredentials {
    private final Metadata headers = new Metadata();

    /** @throws IllegalArgumentException for a missing or blank token, which the servers would refuse anyway */
    public BearerTokenCallCredentials(String token) {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("token is required (a signed JWT)");
        }
        headers.put(BearerTokenMechanism.AUTHORIZATION, "Bearer " + token);
    }

    @Override
    public void applyRequestMetadata(RequestInfo requestInfo, Executor appExecutor, MetadataApplier applier) {
        applier.apply(headers);
    }

    /** The same header, as an interceptor for a whole channel or for stubs already built with interceptors. */
    public ClientInterceptor interceptor() {
        return MetadataUtils.newAttachHeadersInterceptor(headers);
    }
}
