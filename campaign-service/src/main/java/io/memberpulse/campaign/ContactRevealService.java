package io.memberpulse.campaign;

import io.memberpulse.campaign.domain.ContactReveal;
import io.memberpulse.campaign.domain.ContactRevealDisabledException;
import io.memberpulse.campaign.domain.TaskNotFoundException;
import io.memberpulse.campaign.store.ContactRepository;
import io.memberpulse.proto.auth.Callers;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Gives the caller the full phone of an OPEN task's member, to dial it (ContactReveal says who may and when), and
 * records each reveal (contact_reveal: task, member, caller, time) and counts it
 * (memberpulse.campaign.contact.reveals), so that head office can see who read which numbers.
 */
@ApplicationScoped
public class ContactRevealService {
    private final ContactRepository contacts;
    private final Counter reveals;
    private final Clock clock;
    private final boolean enabled;

    public ContactRevealService(ContactRepository contacts, MeterRegistry registry, Clock clock, CampaignConfig config) {
        this.contacts = contacts;
        this.enabled = config.campaign().contactReveal().enabled();
        this.reveals = registry.counter("memberpulse.campaign.contact.reveals");
        this.clock = clock;
    }

    /**
     * The task's member and phone (null when none is known); TaskNotFoundException, TaskClosedException, and
     * ContactRevealDisabledException when the deployment turned reveals off.
     */
    public Uni<ContactReveal> reveal(String taskId, SecurityIdentity caller) {
        if (!enabled) {
            return Uni.createFrom().failure(new ContactRevealDisabledException());
        }
        String callerStoreId = Callers.boundStore(caller).orElse(null);
        return contacts.reveal(taskId, found -> found.check(callerStoreId), subject(caller), clock.instant())
                .onItem().ifNull().failWith(() -> new TaskNotFoundException(taskId))
                .invoke(found -> {
                    if (found.phone() != null) {
                        reveals.increment();
                    }
                });
    }

    /** The token's subject (sub), who the reveal is recorded for; the principal's name for another identity. */
    private static String subject(SecurityIdentity caller) {
        if (caller.getPrincipal() instanceof JsonWebToken jwt && jwt.getSubject() != null) {
            return jwt.getSubject();
        }
        return caller.getPrincipal().getName();
    }
}
