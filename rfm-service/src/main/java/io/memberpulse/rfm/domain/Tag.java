package io.memberpulse.rfm.domain;

/** A member tag in one of the five families of DOMAIN.md §2: basic, behaviour, interest, value, risk. */
public record Tag(String family, String name, String value) {
}
