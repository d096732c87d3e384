package io.memberpulse.rfm.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The basic, behaviour, interest and risk tags that come from facts beyond RFM. */
class FamilyTagsTest {
    static final Instant NOW = Instant.parse("2024-06-30T12:00:00Z");
    static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

    static Instant daysAgo(int days) {
        return NOW.minus(Duration.ofDays(days));
    }

    static MemberFact fact(MemberFact.Kind kind, int daysAgo) {
        return new MemberFact(kind, daysAgo(daysAgo), "s1", null, 0, null, null, null, null);
    }

    static MemberFact review(int daysAgo, int rating, String text) {
        return new MemberFact(MemberFact.Kind.REVIEW, daysAgo(daysAgo), "s1", null, rating, text, null, null, null);
    }

    static MemberFact profile(MemberFact.Kind kind, int daysAgo, String gender, String birthDate, String city) {
        return new MemberFact(kind, daysAgo(daysAgo), "s1", null, 0, null, gender, birthDate, city);
    }

    static PurchaseLine line(String category, int daysAgo) {
        return new PurchaseLine("o" + daysAgo, PurchaseLine.Kind.ORDER, daysAgo(daysAgo), "s1", 10, null, 0, category);
    }

    @Test
    void basicTagsComeFromTheLatestProfileHintsAsOfTheInstant() {
        var facts = List.of(profile(MemberFact.Kind.REGISTER, 400, "女", "1990-07-01", "上海市"),
                profile(MemberFact.Kind.PROFILE, 10, "", "", "深圳"),
                profile(MemberFact.Kind.PROFILE, -5, "M", "2000-01-01", "北京")); // after the instant: not yet known
        assertThat(ProfileTags.of(facts, NOW, SHANGHAI)).extracting(Tag::family, Tag::name, Tag::value).containsExactly(
                tuple("basic", "gender", "female"), tuple("basic", "age_band", "25-34"), tuple("basic", "city", "深圳"),
                tuple("basic", "region", "华南"), tuple("basic", "registration_date", "2023-05-27"));
        // The band is of the age on the instant's day: 18 on the birthday, 17 the day before.
        assertThat(ProfileTags.ageBand("1990-07-01", LocalDate.parse("2008-06-30"))).isEqualTo("<18");
        assertThat(ProfileTags.ageBand("1990-07-01", LocalDate.parse("2008-07-01"))).isEqualTo("18-24");
        assertThat(ProfileTags.ageBand("1950-01-01", LocalDate.parse("2024-06-30"))).isEqualTo("65+");
        assertThat(ProfileTags.ageBand("not a date", LocalDate.parse("2024-06-30"))).isNull();
        assertThat(ProfileTags.ageBand("2030-01-01", LocalDate.parse("2024-06-30"))).isNull();
        assertThat(ProfileTags.of(List.of(profile(MemberFact.Kind.PROFILE, 1, "x", null, "Springfield")), NOW, SHANGHAI))
                .extracting(Tag::name).containsExactly("city"); // unknown gender and region are left out
    }

    @Test
    void datesAreTheChainsCalendarDaysNotUtcs() {
        // Registered at 20:00 UTC on 29 June, which is 04:00 on 30 June in Shanghai; 18 on 30 June there too.
        Instant evening = Instant.parse("2024-06-29T20:00:00Z");
        var facts = List.of(new MemberFact(MemberFact.Kind.REGISTER, evening, "s1", null, 0, null, null, "2006-06-30", null));
        assertThat(ProfileTags.of(facts, evening, SHANGHAI)).extracting(Tag::name, Tag::value).containsExactly(
                tuple("age_band", "18-24"), tuple("registration_date", "2024-06-30"));
        assertThat(ProfileTags.of(facts, evening, ZoneOffset.UTC)).extracting(Tag::name, Tag::value).containsExactly(
                tuple("age_band", "<18"), tuple("registration_date", "2024-06-29"));
    }

    @Test
    void categoriesGoDownToTheSkuAttributeAndFavouritesAreTheTopLevelsBoughtMost() {
        var lines = List.of(line("dairy/yogurt/greek", 1), line("dairy/yogurt/greek", 2), line("dairy/milk/whole", 3),
                line("produce/vegetable/mushroom", 4), line("snacks", 5), line("snacks/chips", 6), line(null, 7),
                line("produce/fruit/apple", -1)); // not yet bought
        assertThat(CategoryTags.of(lines, NOW)).extracting(Tag::family, Tag::name, Tag::value).containsExactly(
                tuple("behaviour", "category_level_1", "dairy"),
                tuple("behaviour", "category_level_2", "dairy/yogurt"),
                tuple("behaviour", "category_level_3", "dairy/yogurt/greek"),
                tuple("interest", "favourite_categories", "dairy,snacks,produce"));
        assertThat(CategoryTags.pathsBought(lines, NOW)).contains("dairy", "dairy/yogurt", "dairy/yogurt/greek", "snacks/chips")
                .doesNotContain("produce/fruit");
        assertThat(CategoryTags.prefixes("a//b/ c ")).containsExactly("a", "a/b", "a/b/c");
    }

    @Test
    void reviewsAreNegativeByLowRatingOrByTextAndComplaintsByWhatTheyReport() {
        assertThat(ReviewSentiment.isNegative(2, "还行")).isTrue();
        assertThat(ReviewSentiment.isNegative(5, "很失望")).as("a rating says more than words").isFalse();
        assertThat(ReviewSentiment.isNegative(0, "变质了，很失望")).isTrue();
        assertThat(ReviewSentiment.isNegative(0, "很新鲜，下次还买")).isFalse();
        assertThat(ReviewSentiment.isComplaint("和描述严重不符，已申请退款")).isTrue();
        assertThat(ReviewSentiment.isComplaint("Wrong item delivered")).isTrue();
        assertThat(ReviewSentiment.isComplaint("整体满意，就是稍微有点贵")).isFalse();
        assertThat(ReviewSentiment.isComplaint(null)).isFalse();
    }

    @Test
    void interestAndRiskCountVisitsReviewsCouponsAndComplaintsInTheirWindows() {
        var facts = List.of(fact(MemberFact.Kind.VISIT, 1), fact(MemberFact.Kind.VISIT, 29), fact(MemberFact.Kind.VISIT, 45),
                fact(MemberFact.Kind.VISIT, 120), fact(MemberFact.Kind.COUPON_ISSUED, 20), fact(MemberFact.Kind.COUPON_ISSUED, 10),
                fact(MemberFact.Kind.COUPON_ISSUED, 5), fact(MemberFact.Kind.COUPON_REDEEMED, 4),
                review(3, 1, "差评！等了两个小时"), review(200, 2, "分量不足"), review(8, 5, "宝贝很好, 五星好评"),
                review(-2, 1, "送错了一件商品")); // after the instant
        var counts = ActivityTags.count(facts, NOW);
        assertThat(counts).isEqualTo(new ActivityTags.Counts(2, 3, 3, 3, 1, 2, 1, 1, 1));
        assertThat(ActivityTags.of(counts)).extracting(Tag::family, Tag::name, Tag::value).contains(
                tuple("interest", "visits_30d", "2"), tuple("interest", "visits_90d", "3"), tuple("interest", "reviews", "3"),
                tuple("interest", "coupon_redemption_rate", "0.33"), tuple("risk", "negative_reviews", "2"),
                tuple("risk", "complaints", "1"), tuple("risk", "feedback_risk", "complaint"));
        assertThat(ActivityTags.of(ActivityTags.count(List.of(fact(MemberFact.Kind.VISIT, 1)), NOW)))
                .extracting(Tag::name).doesNotContain("feedback_risk", "coupon_redemption_rate");
    }

    static MemberFact coupon(MemberFact.Kind kind, int daysAgo, String couponId) {
        return new MemberFact(kind, daysAgo(daysAgo), "s1", null, 0, null, null, null, null, couponId);
    }

    /**
     * Coupons count once each, however many systems reported them: C1's redemption reported by the till and by the
     * CRM (two event ids) is one coupon redeemed of two issued. Facts without a coupon id (stored before it was kept)
     * count one each, as before.
     */
    @Test
    void aCouponRedeemedIsCountedOnceHoweverManyTimesItWasReported() {
        var facts = List.of(coupon(MemberFact.Kind.COUPON_ISSUED, 20, "C1"), coupon(MemberFact.Kind.COUPON_ISSUED, 20, "C2"),
                coupon(MemberFact.Kind.COUPON_REDEEMED, 4, "C1"), coupon(MemberFact.Kind.COUPON_REDEEMED, 4, "C1"));
        var counts = ActivityTags.count(facts, NOW);
        assertThat(counts.couponsIssued()).isEqualTo(2);
        assertThat(counts.couponsRedeemed()).isEqualTo(1);
        assertThat(ActivityTags.of(counts)).extracting(Tag::name, Tag::value).contains(
                tuple("coupons_redeemed", "1"), tuple("coupon_redemption_rate", "0.50"));

        var withOldRows = new java.util.ArrayList<>(facts);
        withOldRows.add(fact(MemberFact.Kind.COUPON_ISSUED, 30));
        withOldRows.add(fact(MemberFact.Kind.COUPON_REDEEMED, 25));
        assertThat(ActivityTags.count(withOldRows, NOW)).extracting(ActivityTags.Counts::couponsIssued,
                ActivityTags.Counts::couponsRedeemed).containsExactly(3L, 2L);
    }

    @Test
    void aProfileCarriesAllFiveFamilies() {
        var rfm = new RfmCalculator(0.3).compute("m", List.of(line("dairy/yogurt/greek", 3), line("dairy/milk", 10)), NOW);
        var history = new MemberHistory(List.of(line("dairy/yogurt/greek", 3), line("dairy/milk", 10)),
                List.of(profile(MemberFact.Kind.REGISTER, 30, "F", "1985-02-02", "成都"), review(2, 2, "不太新鲜")), 0.45);
        assertThat(MemberTags.of(rfm, LifecycleStage.GROWING, history, SHANGHAI)).extracting(Tag::family).containsOnly(
                "basic", "behaviour", "interest", "value", "risk").contains("basic", "behaviour", "interest", "value", "risk");
        assertThat(MemberTags.of(rfm, LifecycleStage.GROWING, history, SHANGHAI)).extracting(Tag::name, Tag::value).contains(
                tuple("region", "西南"), tuple("age_band", "35-44"), tuple("category_level_2", "dairy/milk"), // a tie: by name
                tuple("churn_risk", "medium"), tuple("negative_reviews", "1"));
    }
}
