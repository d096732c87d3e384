package io.memberpulse.campaign;

import io.memberpulse.campaign.domain.MemberRisk;
import io.memberpulse.campaign.store.ContactRepository;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Which of a store's scored members staff can reach for an SOP call (memberpulse.campaign.sop-reach-required:
 * ContactRepository#unreachable), and how many the SOP passed over for it: the gauge
 * memberpulse_campaign_sop_unreachable_members{store}, as of the store's last replan on this replica (set inside the
 * replan's transaction, so a replan that rolls back leaves it off until the next one).
 */
@ApplicationScoped
public class SopReach {
    private final ContactRepository contacts;
    private final MeterRegistry registry;
    private final boolean required;
    private final ConcurrentMap<String, AtomicInteger> passedOver = new ConcurrentHashMap<>();

    SopReach(ContactRepository contacts, MeterRegistry registry, CampaignConfig config) {
        this.contacts = contacts;
        this.registry = registry;
        this.required = config.campaign().sopReachRequired();
    }

    public boolean required() {
        return required;
    }

    /** The members staff cannot reach; none while reach is not required. */
    public Uni<Set<String>> unreachableAmong(Collection<MemberRisk> members) {
        if (!required || members.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        return contacts.unreachable(members.stream().map(MemberRisk::memberId).toList());
    }

    /** Records how many members of the store's top share the SOP passed over as unreachable at this replan. */
    public void passedOver(String storeId, int count) {
        if (!required) {
            return;
        }
        passedOver.computeIfAbsent(storeId, store -> {
            AtomicInteger value = new AtomicInteger();
            Gauge.builder("memberpulse.campaign.sop.unreachable.members", value, AtomicInteger::get)
                    .description("members of the store's SOP top share passed over at its last replan: no phone staff "
                            + "can dial, no POS member number")
                    .tag("store", store).register(registry);
            return value;
        }).set(count);
    }
}
