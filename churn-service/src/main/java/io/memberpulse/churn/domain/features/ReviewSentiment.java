package io.memberpulse.churn.domain.features;

import java.util.Locale;
import java.util.Set;

/**
 * A small bilingual (English, Chinese) opinion lexicon: (positive hits - negative hits) / hits,
 * with a negation just before a word flipping it. Own word lists, after the usual opinion-lexicon
 * entries (Hu and Liu for English; HowNet-style sentiment words for Chinese); 0 when nothing matches.
 */
final class ReviewSentiment {
    private static final Set<String> POSITIVE = Set.of("good", "great", "excellent", "love", "nice", "fresh", "fast",
            "friendly", "perfect", "recommend", "happy", "tasty", "delicious", "best", "satisfied",
            "好", "很好", "不错", "满意", "喜欢", "新鲜", "好吃", "推荐", "快", "热情", "实惠", "赞", "划算", "方便");
    private static final Set<String> NEGATIVE = Set.of("bad", "poor", "terrible", "awful", "slow", "rude", "stale",
            "broken", "expensive", "disappointed", "worst", "never", "refund", "dirty", "late",
            "差", "太差", "失望", "难吃", "不新鲜", "慢", "贵", "态度差", "退款", "过期", "坏", "脏", "投诉", "缺货");
    private static final Set<String> NEGATIONS = Set.of("not", "no", "don't", "didn't", "isn't", "wasn't", "不", "没", "没有");

    private ReviewSentiment() {
    }

    static double score(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        int positive = 0;
        int negative = 0;
        // English: words; Chinese: dictionary words found as substrings (longest lists first do not matter here).
        String[] words = lower.split("[^\\p{L}']+");
        for (int i = 0; i < words.length; i++) {
            boolean negated = i > 0 && NEGATIONS.contains(words[i - 1]);
            if (POSITIVE.contains(words[i])) {
                if (negated) negative++; else positive++;
            } else if (NEGATIVE.contains(words[i])) {
                if (negated) positive++; else negative++;
            }
        }
        for (String word : POSITIVE) {
            if (isCjk(word)) {
                int at = lower.indexOf(word);
                if (at >= 0) {
                    boolean negated = at > 0 && (lower.charAt(at - 1) == '不' || lower.charAt(at - 1) == '没');
                    if (negated) negative++; else positive++;
                }
            }
        }
        for (String word : NEGATIVE) {
            if (isCjk(word) && lower.contains(word)) {
                negative++;
            }
        }
        int hits = positive + negative;
        return hits == 0 ? 0 : (positive - negative) / (double) hits;
    }

    private static boolean isCjk(String word) {
        return Character.UnicodeScript.of(word.codePointAt(0)) == Character.UnicodeScript.HAN;
    }
}
