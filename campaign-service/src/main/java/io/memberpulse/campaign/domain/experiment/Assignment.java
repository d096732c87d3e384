package io.memberpulse.campaign.domain.experiment;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Objects;

/**
 * Deterministic, sticky randomisation: a member's arm and variant in a campaign follow from a hash of
 * the campaign and member ids alone, so every replica, every rerun and every day gives the same
 * answer without storing anything first, and no member can switch arms.
 */
public record Assignment(Arm arm, String variant) {
    /** The one variant of a campaign that defines none. */
    public static final String DEFAULT_VARIANT = "default";

    public Assignment {
        Objects.requireNonNull(arm, "arm");
    }

    /**
     * @param holdoutShare share of members held out, 0..0.5
     * @param variants     treatment variants (timing, content); empty = a single variant "default"
     */
    public static Assignment of(String campaignId, String memberId, double holdoutShare, List<String> variants) {
        if (!(holdoutShare >= 0 && holdoutShare <= 0.5)) {
            throw new IllegalArgumentException("holdout share must be within 0..0.5: " + holdoutShare);
        }
        double armDraw = uniform(campaignId + "\u0000arm\u0000" + memberId);
        if (armDraw < holdoutShare) {
            return new Assignment(Arm.HOLDOUT, null);
        }
        if (variants.isEmpty()) {
            return new Assignment(Arm.TREATED, DEFAULT_VARIANT);
        }
        // An independent draw for the variant, so variants split the treated arm evenly.
        double variantDraw = uniform(campaignId + "\u0000variant\u0000" + memberId);
        return new Assignment(Arm.TREATED, variants.get((int) Math.floor(variantDraw * variants.size())));
    }

    /** A uniform number in [0, 1) from the first 53 bits of SHA-256. */
    static double uniform(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            long bits = 0;
            for (int i = 0; i < 8; i++) {
                bits = (bits << 8) | (digest[i] & 0xff);
            }
            return (bits >>> 11) / (double) (1L << 53);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
