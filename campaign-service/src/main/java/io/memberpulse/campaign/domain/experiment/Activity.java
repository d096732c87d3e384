package io.memberpulse.campaign.domain.experiment;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What enrolled members did within one window, per arm: participation (responded: reached by one of
 * the campaign's calls or redeemed a coupon), conversion (bought at least once), repurchase (bought at
 * least twice), order value. The live view of a campaign, overall and per store.
 */
public final class Activity {
    private Activity() {
    }

    /** One enrolled member in the window. */
    public record Member(Arm arm, String storeId, int orders, double revenue, boolean responded) {
    }

    /** Counts and their rates over the arm's members; the average order value is net revenue per order. */
    public record ArmStats(long members, long participated, long converted, long repurchased, long orders, double revenue,
            double participationRate, double conversionRate, double repurchaseRate, double averageOrderValue) {

        static ArmStats of(long members, long participated, long converted, long repurchased, long orders, double revenue) {
            return new ArmStats(members, participated, converted, repurchased, orders, revenue, rate(participated, members),
                    rate(converted, members), rate(repurchased, members), orders == 0 ? 0 : revenue / orders);
        }

        private static double rate(long count, long members) {
            return members == 0 ? 0 : (double) count / members;
        }
    }

    /** Both arms side by side, with the conversion uplift (treated − holdout) and its 95% interval. */
    public record Arms(ArmStats treated, ArmStats holdout, Estimate conversionUplift, Estimate repurchaseUplift) {
    }

    public record StoreArms(String storeId, Arms arms) {
    }

    public record Live(Arms overall, List<StoreArms> stores) {
    }

    public static Live of(List<Member> members) {
        Map<String, List<Member>> byStore = members.stream().collect(Collectors.groupingBy(
                m -> m.storeId() == null ? "" : m.storeId(), TreeMap::new, Collectors.toList()));
        return new Live(arms(members), byStore.entrySet().stream()
                .map(e -> new StoreArms(e.getKey().isEmpty() ? null : e.getKey(), arms(e.getValue()))).toList());
    }

    public static Arms arms(List<Member> members) {
        ArmStats treated = stats(members, Arm.TREATED);
        ArmStats holdout = stats(members, Arm.HOLDOUT);
        return new Arms(treated, holdout,
                Estimate.differenceOfProportions(treated.converted(), treated.members(), holdout.converted(), holdout.members()),
                Estimate.differenceOfProportions(treated.repurchased(), treated.members(), holdout.repurchased(), holdout.members()));
    }

    static ArmStats stats(List<Member> members, Arm arm) {
        long n = 0, participated = 0, converted = 0, repurchased = 0, orders = 0;
        double revenue = 0;
        for (Member m : members) {
            if (m.arm() != arm) {
                continue;
            }
            n++;
            participated += m.responded() ? 1 : 0;
            converted += m.orders() >= 1 ? 1 : 0;
            repurchased += m.orders() >= 2 ? 1 : 0;
            orders += m.orders();
            revenue += m.revenue();
        }
        return ArmStats.of(n, participated, converted, repurchased, orders, revenue);
    }
}
