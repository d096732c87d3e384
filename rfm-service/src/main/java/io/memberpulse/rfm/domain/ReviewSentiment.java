package io.memberpulse.rfm.domain;

import java.util.List;
import java.util.Locale;

/**
 * Whether a review is negative feedback or a complaint. A rating of 1 or 2 (of 5) is negative; so is
 * an unrated review whose text carries a negative phrase. A complaint is a review that reports a
 * failure to be put right (wrong or spoiled goods, not as described, a refund asked, a stated
 * complaint), whatever its rating. Phrases: Chinese as members write them, and English.
 */
public final class ReviewSentiment {
    static final List<String> COMPLAINT_PHRASES = List.of("投诉", "差评", "退款", "退货", "送错", "变质", "破损", "不符",
            "坏了", "发霉", "过期", "complain", "refund", "wrong item", "spoiled", "damaged", "broken", "expired",
            "not as described");
    static final List<String> NEGATIVE_PHRASES = List.of("失望", "不新鲜", "分量不足", "有差距", "没做到", "很差", "太差",
            "难吃", "不好", "disappoint", "terrible", "awful", "poor", "worst", "never again");

    private ReviewSentiment() {
    }

    public static boolean isComplaint(String text) {
        return contains(text, COMPLAINT_PHRASES);
    }

    public static boolean isNegative(int rating, String text) {
        if (rating >= 1 && rating <= 2) {
            return true;
        }
        return rating == 0 && (contains(text, NEGATIVE_PHRASES) || isComplaint(text));
    }

    private static boolean contains(String text, List<String> phrases) {
        if (text == null || text.isBlank()) {
            return false;
        }
        String lower = text.toLowerCase(Locale.ROOT);
        return phrases.stream().anyMatch(lower::contains);
    }
}
