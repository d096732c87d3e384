package io.memberpulse.churn.domain;

/**
 * The purchase feed fell silent within the labels a training run would learn from (model.LabelOutage): the run is
 * refused, as for too little data, and the current model stays in place.
 */
public final class LabelOutageException extends RuntimeException {
    public LabelOutageException(String reason) {
        super(reason);
    }
}
