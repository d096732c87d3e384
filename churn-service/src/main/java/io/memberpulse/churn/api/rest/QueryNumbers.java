package io.memberpulse.churn.api.rest;

import io.memberpulse.churn.domain.InvalidInputException;

/**
 * Numeric query parameters, taken as text: JAX-RS answers a parameter declared int that does not parse
 * with a bare 404; these answer 400 naming it.
 */
final class QueryNumbers {
    private QueryNumbers() {
    }

    static int wholeNumberWithin(String name, String text, int min, int max) {
        int value;
        try {
            value = Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new InvalidInputException(name, "must be a whole number within " + min + ".." + max);
        }
        if (value < min || value > max) {
            throw new InvalidInputException(name, "must be a whole number within " + min + ".." + max);
        }
        return value;
    }
}
