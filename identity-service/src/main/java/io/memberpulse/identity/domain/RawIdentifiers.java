package io.memberpulse.identity.domain;

/** Identifiers as a channel reported them; null or blank = absent. */
public record RawIdentifiers(String phone, String unionId, String openid, String memberNo, String deviceId,
        String platformUid, String email) {

    public boolean isEmpty() {
        return blank(phone) && blank(unionId) && blank(openid) && blank(memberNo) && blank(deviceId)
                && blank(platformUid) && blank(email);
    }

    static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
