package io.memberpulse.identity.api.kafka;

/** Why a channel.events record was dead-lettered (its message becomes the dead-letter-reason header). */
class InvalidChannelEventException extends RuntimeException {
    InvalidChannelEventException(String reason) {
        super(reason, null, false, false);
    }
}
