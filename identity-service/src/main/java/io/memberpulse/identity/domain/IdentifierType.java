package io.memberpulse.identity.domain;

import java.util.Optional;

/**
 * The kinds of identifier a channel reports, strongest first. Strong identifiers link events to a
 * member on an exact match; weak ones (a masked phone, a shared device) are only evidence.
 */
public enum IdentifierType {
    MEMBER_NO("member_no", true),
    UNION_ID("union_id", true),
    PHONE("phone", true),
    OPENID("openid", true),
    PLATFORM_UID("platform_uid", true),
    EMAIL("email", true),
    MASKED_PHONE("masked_phone", false),
    /** A phone that is no valid number but one keying slip from one (a till typo): compared, never linked on. */
    MISTYPED_PHONE("mistyped_phone", false),
    DEVICE_ID("device_id", false);

    private final String code;
    private final boolean strong;

    IdentifierType(String code, boolean strong) {
        this.code = code;
        this.strong = strong;
    }

    /** The name used in the CSV columns, the API and the database. */
    public String code() {
        return code;
    }

    public boolean isStrong() {
        return strong;
    }

    /**
     * Whether a value of this type belongs to its person for life, so a past one still takes its place in the
     * per-type limit: WeChat gives one person one UnionID under a chain's developer account and never another. A
     * second UnionID on a member is a second person, however long the first was silent.
     */
    public boolean isLifelong() {
        return this == UNION_ID;
    }

    public static Optional<IdentifierType> fromCode(String code) {
        for (IdentifierType type : values()) {
            if (type.code.equals(code)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
