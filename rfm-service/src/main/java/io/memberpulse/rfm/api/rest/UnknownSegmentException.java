package io.memberpulse.rfm.api.rest;

class UnknownSegmentException extends RuntimeException {
    UnknownSegmentException(String segmentId) {
        super("no segment " + segmentId);
    }
}
