package io.memberpulse.identity.api.grpc;

import io.grpc.stub.StreamObserver;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.IdentityServiceGrpc;
import io.memberpulse.proto.identity.v1.ImportSummary;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The tests' client side of the streamed ImportEvents: sends the events, ends the stream, waits for its one summary. */
public final class StreamedImport {
    private StreamedImport() {
    }

    /** @throws java.util.concurrent.ExecutionException wrapping the call's StatusRuntimeException when it fails */
    public static ImportSummary upload(IdentityServiceGrpc.IdentityServiceStub stub, List<ChannelEvent> events,
            long timeoutSeconds) throws Exception {
        CompletableFuture<ImportSummary> answer = new CompletableFuture<>();
        StreamObserver<ChannelEvent> upload = stub.importEvents(new StreamObserver<>() {
            @Override
            public void onNext(ImportSummary summary) {
                answer.complete(summary);
            }

            @Override
            public void onError(Throwable t) {
                answer.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
            }
        });
        events.forEach(upload::onNext);
        upload.onCompleted();
        return answer.get(timeoutSeconds, TimeUnit.SECONDS);
    }
}
