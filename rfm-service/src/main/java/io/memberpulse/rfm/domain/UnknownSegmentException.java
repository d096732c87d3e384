package io.memberpulse.rfm.domain;

/** No segment of that id (default, lifecycle stage or rule): HTTP 404, gRPC NOT_FOUND. */
public final class UnknownSegmentException extends RuntimeException {
    public UnknownSegmentException(String segmentId) {
        super("no segment " + segmentId);
    }
}
