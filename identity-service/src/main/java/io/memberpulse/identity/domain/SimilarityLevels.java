package io.memberpulse.identity.domain;

import java.text.Normalizer;
import java.util.Locale;
import org.apache.commons.text.similarity.JaroWinklerSimilarity;

/**
 * Comparison levels of profile values for Fellegi–Sunter scoring (level 0 = a value missing on either
 * side, so no information), as Splink's comparison library defines them: exact, close by Jaro–Winkler,
 * one keying slip for dates, same mailbox for e-mails. Names in hanzi are compared by their pinyin.
 */
public final class SimilarityLevels {
    /** Levels of {@link #text}: missing, exact, Jaro–Winkler ≥ 0.92, ≥ 0.80, different. */
    public static final int TEXT_LEVELS = 5;
    /** Levels of {@link #date}: missing, exact, one slip (a digit or two neighbours), different. */
    public static final int DATE_LEVELS = 4;
    /** Levels of {@link #email}: missing, exact, same or close mailbox name, different. */
    public static final int EMAIL_LEVELS = 4;

    private static final JaroWinklerSimilarity JARO_WINKLER = new JaroWinklerSimilarity();

    private SimilarityLevels() {
    }

    public static int text(String a, String b) {
        String x = clean(a);
        String y = clean(b);
        int level = missingOrExact(x, y);
        if (level != UNDECIDED) {
            return level;
        }
        double similarity = JARO_WINKLER.apply(x, y);
        return similarity >= 0.92 ? 2 : similarity >= 0.80 ? 3 : 4;
    }

    /** A name, in hanzi or Latin letters, compared by its pinyin as {@link #text}. */
    public static int name(String a, String b) {
        return text(a == null ? null : ProfileNormalizer.pinyin(clean(a)), b == null ? null : ProfileNormalizer.pinyin(clean(b)));
    }

    /** Dates in any notation, compared by their digits. */
    public static int date(String a, String b) {
        String x = a == null ? "" : a.replaceAll("[^0-9]", "");
        String y = b == null ? "" : b.replaceAll("[^0-9]", "");
        int level = missingOrExact(x, y);
        if (level != UNDECIDED) {
            return level;
        }
        return ProfileComparator.oneSlipApart(x, y) ? 2 : 3;
    }

    public static int email(String a, String b) {
        String x = clean(a);
        String y = clean(b);
        int level = missingOrExact(x, y);
        if (level != UNDECIDED) {
            return level;
        }
        String mailboxX = x.contains("@") ? x.substring(0, x.indexOf('@')) : x;
        String mailboxY = y.contains("@") ? y.substring(0, y.indexOf('@')) : y;
        return mailboxX.equals(mailboxY) || JARO_WINKLER.apply(mailboxX, mailboxY) >= 0.88 ? 2 : 3;
    }

    /** What {@link #missingOrExact} returns when the values are there and differ: the caller grades them. */
    private static final int UNDECIDED = -1;

    /** The levels every comparison shares: 0 when either cleaned value is missing, 1 when they are equal. */
    private static int missingOrExact(String x, String y) {
        if (x.isEmpty() || y.isEmpty()) {
            return 0;
        }
        return x.equals(y) ? 1 : UNDECIDED;
    }

    private static String clean(String value) {
        return value == null ? "" : Normalizer.normalize(value, Normalizer.Form.NFKC).trim().toLowerCase(Locale.ROOT);
    }
}
