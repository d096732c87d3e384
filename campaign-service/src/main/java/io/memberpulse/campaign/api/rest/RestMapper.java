package io.memberpulse.campaign.api.rest;

import io.memberpulse.campaign.domain.CallList;
import io.memberpulse.campaign.domain.CallTask;
import io.memberpulse.campaign.domain.CampaignStats;
import io.memberpulse.campaign.domain.TalkingPoints;
import java.time.Instant;

/** Domain values to REST records. */
final class RestMapper {
    private RestMapper() {
    }

    static CallListResponse toResponse(CallList list) {
        Instant now = list.generatedAt();
        return new CallListResponse(list.storeId(), now,
                list.tasks().stream().map(task -> toResponse(task, now, list)).toList(),
                list.overflow().stream().map(task -> toResponse(task, now, list)).toList(),
                list.money().currency().getCurrencyCode(),
                list.money().locale() == null ? null : list.money().locale().toLanguageTag());
    }

    static StatsResponse toResponse(CampaignStats stats) {
        return new StatsResponse(stats.members(), stats.stores(), stats.openTasks());
    }

    /** A score figure, null while the member has no score (0 only ranks the call). */
    private static Double known(CallTask task, double figure) {
        return task.unscored() ? null : figure;
    }

    private static CallListResponse.Task toResponse(CallTask task, Instant now, CallList list) {
        return new CallListResponse.Task(task.taskId(), task.memberId(), task.storeId(), task.campaignId(),
                known(task, task.probability()), known(task, task.memberValue()), known(task, task.valueAtRisk()),
                task.createdAt(), task.dueAt(),
                task.status(now).name(), task.isOverdue(now), TalkingPoints.of(task, now, list.dayZone(), list.money()), task.version(),
                task.maskedPhone(), task.memberNo(), task.insight());
    }
}
