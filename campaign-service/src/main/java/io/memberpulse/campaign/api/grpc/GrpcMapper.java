package io.memberpulse.campaign.api.grpc;

import com.google.protobuf.Timestamp;
import io.memberpulse.campaign.domain.CallList;
import io.memberpulse.campaign.domain.CallTask;
import io.memberpulse.campaign.domain.CallTaskStatus;
import io.memberpulse.campaign.domain.TalkingPoints;
import io.memberpulse.proto.campaign.v1.TaskStatus;
import io.memberpulse.campaign.domain.InvalidArgumentException;
import io.memberpulse.campaign.domain.MemberInsight;
import io.memberpulse.proto.campaign.v1.LastPurchase;
import io.memberpulse.proto.campaign.v1.OpenCoupon;
import io.memberpulse.proto.campaign.v1.PurchasedItem;
import io.memberpulse.campaign.domain.Outcome;
import io.memberpulse.campaign.domain.OutcomeResult;
import io.memberpulse.campaign.domain.RecordedOutcome;
import io.memberpulse.proto.campaign.v1.RecordOutcomeRequest;
import io.memberpulse.proto.campaign.v1.ArmResult;
import io.memberpulse.proto.campaign.v1.CampaignResults;
import io.memberpulse.campaign.domain.experiment.Activity;
import io.memberpulse.campaign.domain.experiment.BeforeAfter;
import io.memberpulse.campaign.domain.experiment.CampaignReview;
import io.memberpulse.campaign.domain.experiment.Estimate;
import io.memberpulse.proto.campaign.v1.ReviewMetric;
import io.memberpulse.proto.campaign.v1.StoreResult;
import io.memberpulse.proto.campaign.v1.VariantResult;
import io.memberpulse.proto.checks.FieldChecks;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Currency;
import java.util.function.BiConsumer;
import java.util.function.DoubleConsumer;

/** Domain values to campaign.v1 messages. */
final class GrpcMapper {
    private GrpcMapper() {
    }

    static io.memberpulse.proto.campaign.v1.CallList toProto(CallList list) {
        Instant now = list.generatedAt();
        var proto = io.memberpulse.proto.campaign.v1.CallList.newBuilder()
                .setStoreId(list.storeId()).setGeneratedAt(timestamp(now)).setCurrency(currency(list))
                .setCurrencyLocale(list.money().locale() == null ? "" : list.money().locale().toLanguageTag());
        list.tasks().forEach(task -> proto.addTasks(toProto(task, now, list)));
        list.overflow().forEach(task -> proto.addGuideMessages(toProto(task, now, list)));
        return proto.build();
    }

    private static io.memberpulse.proto.campaign.v1.CallTask toProto(CallTask task, Instant now, CallList list) {
        var proto = io.memberpulse.proto.campaign.v1.CallTask.newBuilder()
                .setTaskId(task.taskId()).setMemberId(task.memberId()).setStoreId(task.storeId())
                .setCreatedAt(timestamp(task.createdAt()))
                .setDueAt(timestamp(task.dueAt())).setStatus(status(task.status(now)))
                .addAllTalkingPoints(TalkingPoints.of(task, now, list.dayZone(), list.money())).setVersion(task.version())
                .setCurrency(currency(list));
        score(task, proto);
        if (task.maskedPhone() != null) {
            proto.setMaskedPhone(task.maskedPhone());
        }
        if (task.memberNo() != null) {
            proto.setMemberNo(task.memberNo());
        }
        if (task.campaignId() != null) {
            proto.setCampaignId(task.campaignId());
        }
        if (task.insight() != null) {
            proto.setInsight(insight(task.insight()));
        }
        return proto.build();
    }

    /** The ISO 4217 code the list's amounts are in, as its talking points write them. */
    private static String currency(CallList list) {
        return list.money().currency().getCurrencyCode();
    }

    /** The score's figures, absent while the member has none (their 0 only ranks the call). */
    private static void score(CallTask task, io.memberpulse.proto.campaign.v1.CallTask.Builder proto) {
        if (!task.unscored()) {
            proto.setChurnProbability(task.probability()).setMemberValue(task.memberValue())
                    .setValueAtRisk(task.valueAtRisk());
        }
    }

    private static io.memberpulse.proto.campaign.v1.MemberInsight insight(MemberInsight insight) {
        var proto = io.memberpulse.proto.campaign.v1.MemberInsight.newBuilder().setAsOf(timestamp(insight.asOf()))
                .setOrders90D(insight.orders90d()).setNetSpend90D(insight.netSpend90d())
                .setReturnedSinceLastPurchase(insight.returnedSinceLastPurchase())
                .addAllFavouriteCategories(insight.favouriteCategories());
        if (insight.recencyDays() != null) {
            proto.setRecencyDays(insight.recencyDays());
        }
        MemberInsight.LastPurchase last = insight.lastPurchase();
        if (last != null) {
            var purchase = LastPurchase.newBuilder().setAt(timestamp(last.at())).setAmount(last.amount());
            if (last.storeId() != null) {
                purchase.setStoreId(last.storeId());
            }
            last.items().forEach(item -> purchase.addItems(PurchasedItem.newBuilder()
                    .setSku(nullToEmpty(item.sku())).setCategory(nullToEmpty(item.category()))
                    .setQuantity(item.quantity()).setPaidAmount(item.paid())));
            proto.setLastPurchase(purchase);
        }
        insight.openCoupons().forEach(coupon -> {
            var open = OpenCoupon.newBuilder().setCouponId(coupon.couponId()).setCampaignId(nullToEmpty(coupon.campaignId()))
                    .setIssuedAt(timestamp(coupon.issuedAt())).setExpiresAt(timestamp(coupon.expiresAt()));
            if (coupon.value() != null) {
                open.setValue(coupon.value());
            }
            proto.addOpenCoupons(open);
        });
        return proto.build();
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }

    /**
     * A RecordOutcomeRequest as a domain outcome; a blank task_id or one no id can be, and an unset result, are refused
     * naming the field (the note and follow-up date are checked where the outcome is recorded). An unset reached is
     * read from the result, and an unset version (RecordOutcomeRequest.getVersion) is 0: a stub generated while both
     * were plain proto3 fields never sends false or 0, so refusing them refused every "not reached" outcome and every
     * outcome on a task at version 0 from such a client.
     */
    static Outcome outcome(RecordOutcomeRequest request) {
        FieldChecks.checkId("task_id", request.getTaskId());
        var result = request.getResult();
        if (result == io.memberpulse.proto.campaign.v1.OutcomeResult.OUTCOME_RESULT_UNSPECIFIED
                || result == io.memberpulse.proto.campaign.v1.OutcomeResult.UNRECOGNIZED) {
            throw new InvalidArgumentException("result", "is required");
        }
        // Outcome holds reached iff the result is not NOT_REACHED: unset, that is the only answer it takes; sent, a
        // reached that disagrees with the result is still refused there, naming result.
        boolean reached = request.hasReached() ? request.getReached()
                : result != io.memberpulse.proto.campaign.v1.OutcomeResult.OUTCOME_RESULT_NOT_REACHED;
        LocalDate followUp = null;
        if (!request.getFollowUpDate().isBlank()) {
            try {
                followUp = LocalDate.parse(request.getFollowUpDate());
            } catch (DateTimeParseException e) {
                throw new InvalidArgumentException("follow_up_date", "not an ISO-8601 date: '" + request.getFollowUpDate() + "'");
            }
        }
        return new Outcome(reached, OutcomeResult.valueOf(result.name().substring("OUTCOME_RESULT_".length())),
                request.getNote(), followUp);
    }

    /** @param currency the chain's, in which the task's amounts are (memberpulse.campaign.currency) */
    static io.memberpulse.proto.campaign.v1.CallTask toProto(RecordedOutcome recorded, Currency currency) {
        CallTask task = recorded.task();
        var proto = io.memberpulse.proto.campaign.v1.CallTask.newBuilder()
                .setTaskId(task.taskId()).setMemberId(task.memberId()).setStoreId(task.storeId())
                .setCreatedAt(timestamp(task.createdAt()))
                .setDueAt(timestamp(task.dueAt())).setStatus(TaskStatus.TASK_STATUS_DONE).setVersion(task.version())
                .setCurrency(currency.getCurrencyCode());
        score(task, proto);
        if (task.campaignId() != null) {
            proto.setCampaignId(task.campaignId());
        }
        return proto.build();
    }

    /** @param currency the chain's, in which the figures' amounts are (memberpulse.campaign.currency) */
    static CampaignResults toProto(String campaignId, CampaignReview review, Activity.Live live, BeforeAfter beforeAfter,
            Currency currency) {
        var results = toProto(campaignId, review).toBuilder().setCurrency(currency.getCurrencyCode())
                .setTreated(arm(review.treated()).toBuilder().mergeFrom(activity(live.overall().treated())))
                .setHoldout(arm(review.holdout()).toBuilder().mergeFrom(activity(live.overall().holdout())));
        live.stores().forEach(store -> results.addStores(StoreResult.newBuilder().setStoreId(nullToEmpty(store.storeId()))
                .setTreated(armOf(store.arms().treated())).setHoldout(armOf(store.arms().holdout()))));
        beforeAfter.metrics().forEach(metric -> results.addReview(ReviewMetric.newBuilder().setName(metric.name())
                .setTreatedBefore(finite(metric.treatedBefore())).setTreatedAfter(finite(metric.treatedAfter()))
                .setHoldoutBefore(finite(metric.holdoutBefore())).setHoldoutAfter(finite(metric.holdoutAfter()))
                .setUplift(finite(metric.uplift().value())).setUpliftCiLow(finite(metric.uplift().low()))
                .setUpliftCiHigh(finite(metric.uplift().high())).setUpliftCiDefined(Double.isFinite(metric.uplift().low()))
                .setDifferenceInDifferences(finite(metric.differenceInDifferences()))));
        return results.build();
    }

    /** Only the participation and repurchase figures, to merge into an arm of the review. */
    private static ArmResult activity(Activity.ArmStats stats) {
        return ArmResult.newBuilder().setParticipated(stats.participated()).setParticipationRate(stats.participationRate())
                .setRepurchased(stats.repurchased()).setRepurchaseRate(stats.repurchaseRate()).build();
    }

    private static ArmResult armOf(Activity.ArmStats stats) {
        return ArmResult.newBuilder().setMembers(stats.members()).setConverted(stats.converted())
                .setConversionRate(stats.conversionRate()).setAverageOrderValue(stats.averageOrderValue())
                .mergeFrom(activity(stats)).build();
    }

    static CampaignResults toProto(String campaignId, CampaignReview review) {
        var results = CampaignResults.newBuilder().setCampaignId(campaignId)
                .setTreated(arm(review.treated())).setHoldout(arm(review.holdout()))
                .setUplift(finite(review.conversionUplift().value()))
                .setUpliftCiLow(finite(review.conversionUplift().low()))
                .setUpliftCiHigh(finite(review.conversionUplift().high()))
                .setCost(review.cost()).setIncrementalGain(finite(review.incrementalGain())).setRoi(finite(review.roi()))
                .setUpliftDefined(Double.isFinite(review.conversionUplift().value())).setRoiDefined(Double.isFinite(review.roi()))
                .setRoiSignificant(review.isRoiSignificant()).setExcludedForOverlap(review.excludedForOverlap());
        // Unset where undefined (NaN): absent says so, where a 0 would read as a bound.
        if (Double.isFinite(review.roiLow()) && Double.isFinite(review.roiHigh())) {
            results.setRoiLow(review.roiLow()).setRoiHigh(review.roiHigh());
        }
        ifDefined(review.revenuePerMemberUplift(), results::setRevenuePerMemberUplift,
                (low, high) -> results.setRevenuePerMemberUpliftCiLow(low).setRevenuePerMemberUpliftCiHigh(high));
        ifDefined(review.marginPerMemberUplift(), results::setMarginPerMemberUplift,
                (low, high) -> results.setMarginPerMemberUpliftCiLow(low).setMarginPerMemberUpliftCiHigh(high));
        review.variants().forEach(variant -> results.addVariants(variant(variant)));
        return results.build();
    }

    /** A variant against the shared holdout, undefined figures as CampaignResults' own. */
    private static VariantResult variant(CampaignReview.VariantResult variant) {
        Estimate conversion = variant.conversionUplift();
        var proto = VariantResult.newBuilder().setVariant(variant.variant()).setTreated(arm(variant.treated()))
                .setUplift(finite(conversion.value())).setUpliftCiLow(finite(conversion.low()))
                .setUpliftCiHigh(finite(conversion.high())).setUpliftDefined(Double.isFinite(conversion.value()));
        ifDefined(variant.revenuePerMemberUplift(), proto::setRevenuePerMemberUplift,
                (low, high) -> proto.setRevenuePerMemberUpliftCiLow(low).setRevenuePerMemberUpliftCiHigh(high));
        ifDefined(variant.marginPerMemberUplift(), proto::setMarginPerMemberUplift,
                (low, high) -> proto.setMarginPerMemberUpliftCiLow(low).setMarginPerMemberUpliftCiHigh(high));
        return proto.build();
    }

    /**
     * Sets an uplift's value and its interval where they are defined: unset where undefined (NaN), as absent says so
     * where a 0 would read as a bound.
     */
    private static void ifDefined(Estimate estimate, DoubleConsumer value, BiConsumer<Double, Double> interval) {
        if (Double.isFinite(estimate.value())) {
            value.accept(estimate.value());
        }
        if (Double.isFinite(estimate.low()) && Double.isFinite(estimate.high())) {
            interval.accept(estimate.low(), estimate.high());
        }
    }

    private static ArmResult arm(CampaignReview.ArmResult arm) {
        return ArmResult.newBuilder().setMembers(arm.members()).setConverted(arm.converted())
                .setConversionRate(arm.conversionRate()).setAverageOrderValue(arm.averageOrderValue())
                .setRevenuePerMember(arm.revenuePerMember()).setMarginPerMember(arm.marginPerMember()).build();
    }

    /** proto3 doubles carry NaN, but callers should not have to: an undefined figure is sent as 0. */
    private static double finite(double value) {
        return Double.isFinite(value) ? value : 0;
    }

    private static TaskStatus status(CallTaskStatus status) {
        return switch (status) {
            case OPEN -> TaskStatus.TASK_STATUS_OPEN;
            case OVERDUE -> TaskStatus.TASK_STATUS_OVERDUE;
        };
    }

    private static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }
}
