package io.memberpulse.campaign.store;

import io.memberpulse.campaign.domain.CallTask;
import io.memberpulse.campaign.domain.MemberRisk;
import io.memberpulse.campaign.domain.OpenTask;

/** Rows to domain values; entities never leave the store package. */
final class EntityMapper {
    private EntityMapper() {
    }

    static MemberRisk risk(MemberRiskEntity row) {
        return new MemberRisk(row.memberId, row.storeId, row.probability, row.memberValue, row.asOf);
    }

    static OpenTask openTask(CallTaskEntity row) {
        return new OpenTask(row.id, row.memberId, row.probability, row.memberValue, row.origin, row.createdAt, row.dueAt);
    }

    static CallTask callTask(CallTaskEntity row) {
        return new CallTask(row.id, row.memberId, row.storeId, row.campaignId, row.probability, row.memberValue,
                row.valueAtRisk, row.createdAt, row.dueAt, row.version).scored(row.scored);
    }
}
