package io.memberpulse.campaign.api.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The gRPC twin of the REST {@code X-Store-Id} header: staff apps send their store in the {@code x-store-id}
 * metadata, and another store's call list and tasks stay invisible, exactly as over REST.
 */
@ApplicationScoped
class CallerStoreInterceptor implements ServerInterceptor {
    static final Metadata.Key<String> STORE_METADATA = Metadata.Key.of("x-store-id", Metadata.ASCII_STRING_MARSHALLER);
    /** Null when the caller is not bound to a store (analysts, back-office tools). */
    static final Context.Key<String> CALLER_STORE = Context.key("memberpulse-caller-store");

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
            ServerCallHandler<Q, A> next) {
        String store = headers.get(STORE_METADATA);
        if (store == null || store.isBlank()) {
            return next.startCall(call, headers);
        }
        return Contexts.interceptCall(Context.current().withValue(CALLER_STORE, store.strip()), call, headers, next);
    }

    /** The caller's store, read on the thread gRPC calls the service method on. */
    static String callerStore() {
        return CALLER_STORE.get();
    }
}
