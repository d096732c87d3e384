package io.memberpulse.identity.domain;

import java.util.regex.Pattern;

/**
 * Identifiers as a channel reported them; null, blank or a "none" marker = absent.
 */
public record RawIdentifiers(String phone, String unionId, String openid, String memberNo, String deviceId,
        String platformUid, String email) {

    /**
     * What tills and exports write for "no value": punctuation alone ("-", "--", "/", "—"), a lone zero or two, and
     * the words null, none, nil, n/a, unknown, 无, 空, 未知. Such a field is absent, not a value: as a phone it was
     * refused and the row's order lost; as a member number or openid every guest's row would share it and be linked
     * until placeholder detection caught up. Eleven zeros and the like are numbers a chain lists in blocked-values.
     */
    private static final Pattern NO_VALUE = Pattern.compile(
            "[\\p{P}\\p{S}\\s]*|0{1,2}|(?iu)(null|none|nil|n/a|na|unknown)|无|空|未知");

    public boolean isEmpty() {
        return blank(phone) && blank(unionId) && blank(openid) && blank(memberNo) && blank(deviceId)
                && blank(platformUid) && blank(email);
    }

    static boolean blank(String value) {
        return value == null || NO_VALUE.matcher(value.strip()).matches();
    }
}
