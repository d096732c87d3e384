package io.memberpulse.churn.domain.model;

/**
 * Where a training run is: a stage and how far through it (done of total). Training on Online Retail takes
 * about a minute and grows with the members; callers show this instead of waiting in silence.
 */
@FunctionalInterface
public interface TrainingProgress {
    TrainingProgress NONE = (stage, done, total) -> {
    };

    void report(Stage stage, int done, int total);

    /** The stages in the order a run passes through them; a run skips the ones that do not apply to it. */
    enum Stage {
        AWAITING_FACTS("awaiting-facts", "waiting until the member facts published so far are consumed"),
        LOADING_FACTS("loading-facts", "loading the member facts"),
        VALIDATION_SNAPSHOTS("validation-snapshots", "building features at the validation cut-offs"),
        VALIDATING_MODELS("validating-models", "fitting every model kind and scoring it on the validation window"),
        TRAINING_SNAPSHOTS("training-snapshots", "building features at the training cut-offs"),
        REFITTING("refitting", "refitting the chosen model on the training cut-offs"),
        SCORING("scoring", "scoring the members"),
        STORING("storing", "storing the version and rescoring the members");

        private final String key;
        private final String description;

        Stage(String key, String description) {
            this.key = key;
            this.description = description;
        }

        public String key() {
            return key;
        }

        public String description() {
            return description;
        }

        public static Stage ofKey(String key) {
            for (Stage stage : values()) {
                if (stage.key.equals(key)) {
                    return stage;
                }
            }
            throw new IllegalArgumentException("no training stage " + key);
        }
    }
}
