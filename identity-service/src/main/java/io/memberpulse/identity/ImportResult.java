package io.memberpulse.identity;

import java.util.List;

/**
 * What an import of valid events did: accepted and published, or already known (changed nothing); changed names the
 * known ones ("source:event_id") sent again with other content, which was not taken either.
 */
public record ImportResult(int accepted, int duplicates, List<String> changed) {
}
