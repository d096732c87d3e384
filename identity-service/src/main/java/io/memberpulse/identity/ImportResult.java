package io.memberpulse.identity;

/** What an import of valid events did: accepted and published, or already known (changed nothing). */
public record ImportResult(int accepted, int duplicates) {
}
