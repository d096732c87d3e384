package io.memberpulse.rfm.api.rest;

import io.memberpulse.rfm.domain.InvalidParameterException;

/**
 * Numeric query parameters, taken as text: JAX-RS answers a parameter declared int that does not parse
 * with a bare 404; these answer 400 naming it.
 */
final class QueryNumbers {
    private QueryNumbers() {
    }

    static int wholeNumber(String name, String text) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new InvalidParameterException(name, "must be a whole number, not '" + text + "'");
        }
    }

    static double number(String name, String text) {
        try {
            return Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            throw new InvalidParameterException(name, "must be a number, not '" + text + "'");
        }
    }
}
