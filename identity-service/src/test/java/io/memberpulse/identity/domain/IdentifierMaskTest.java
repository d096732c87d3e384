package io.memberpulse.identity.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class IdentifierMaskTest {

    @Test
    void phonesShowTheCountryCodeAndTheDigitsCampaignsCallListsShow() {
        assertThat(IdentifierMask.mask(IdentifierType.PHONE, "+8613800138000")).isEqualTo("+86 138****8000");
        // a shorter national number: only its last four, so that at least four digits stay hidden
        assertThat(IdentifierMask.mask(IdentifierType.PHONE, "+85291234567")).isEqualTo("+852 ****4567");
        assertThat(IdentifierMask.mask(IdentifierType.PHONE, "+4915123456789")).isEqualTo("+49 151****6789");
        // a quarantined placeholder kept as its digits (no country code)
        assertThat(IdentifierMask.mask(IdentifierType.PHONE, "00000000000")).isEqualTo("000****0000");
        // too short to show any digit and still hide four and half of them
        assertThat(IdentifierMask.mask(IdentifierType.PHONE, "+1234567")).isEqualTo("+1 ****");
        assertThat(IdentifierMask.mask(IdentifierType.PHONE, "1234567")).isEqualTo("****");
        assertThat(IdentifierMask.mask(IdentifierType.PHONE, "+")).isEqualTo("****");
        assertThat(IdentifierMask.mask(IdentifierType.PHONE, "")).isEqualTo("****");
    }

    @Test
    void aMistypedPhoneIsMaskedAsAPhone() {
        assertThat(IdentifierMask.mask(IdentifierType.MISTYPED_PHONE, "+86138001380001")).isEqualTo("+86 138****0001");
        assertThat(IdentifierMask.mask(IdentifierType.MISTYPED_PHONE, "+861380013800")).isEqualTo("+86 ****3800");
    }

    @Test
    void aPhoneReportedMaskedIsKeptOnlyWhenItShowsNoMoreThanAMaskWould() {
        assertThat(IdentifierMask.mask(IdentifierType.MASKED_PHONE, "138****8000")).isEqualTo("138****8000");
        assertThat(IdentifierMask.mask(IdentifierType.MASKED_PHONE, "****8000")).isEqualTo("****8000");
        // nearly the whole number shown: which digits the star hides is unknown, so nothing is shown
        assertThat(IdentifierMask.mask(IdentifierType.MASKED_PHONE, "1380013800*0")).isEqualTo("****");
        assertThat(IdentifierMask.mask(IdentifierType.MASKED_PHONE, "13800138000*")).isEqualTo("****");
        assertThat(IdentifierMask.mask(IdentifierType.MASKED_PHONE, "*")).isEqualTo("****");
    }

    @Test
    void eMailsShowTheFirstLetterOfALongerLocalPartAndTheDomain() {
        assertThat(IdentifierMask.mask(IdentifierType.EMAIL, "alice@example.com")).isEqualTo("a***@example.com");
        assertThat(IdentifierMask.mask(IdentifierType.EMAIL, "abc@example.com")).isEqualTo("a***@example.com");
        assertThat(IdentifierMask.mask(IdentifierType.EMAIL, "ab@example.com")).isEqualTo("***@example.com");
        assertThat(IdentifierMask.mask(IdentifierType.EMAIL, "a@example.com")).isEqualTo("***@example.com");
        assertThat(IdentifierMask.mask(IdentifierType.EMAIL, "no-at-sign")).isEqualTo("****");
        assertThat(IdentifierMask.mask(IdentifierType.EMAIL, "@example.com")).isEqualTo("***@example.com");
    }

    @Test
    void opaqueIdsShowAtMostAQuarterOfTheirCharactersAndNeverTheirLength() {
        String unionId = "oVxYz1AbCdEfGhIjKlMnOpQrStUv"; // 28 characters, as WeChat issues them
        assertThat(IdentifierMask.mask(IdentifierType.UNION_ID, unionId)).isEqualTo("oVx****tUv");
        assertThat(IdentifierMask.mask(IdentifierType.OPENID, "o6_bmjrPTlm6_2sgVt7hMZOPfL2M")).isEqualTo("o6_****L2M");
        assertThat(IdentifierMask.mask(IdentifierType.PLATFORM_UID, "meituan-12345678")).isEqualTo("me****78");
        assertThat(IdentifierMask.mask(IdentifierType.DEVICE_ID, "dev-1234")).isEqualTo("d****4");
        assertThat(IdentifierMask.mask(IdentifierType.DEVICE_ID, "dev-123")).isEqualTo("****");
        assertThat(IdentifierMask.mask(IdentifierType.DEVICE_ID, "x")).isEqualTo("****");
        assertThat(IdentifierMask.mask(IdentifierType.OPENID, "")).isEqualTo("****");
        for (int length = 0; length <= 200; length++) {
            String value = "abcdefghij".repeat(21).substring(0, length);
            String masked = IdentifierMask.mask(IdentifierType.UNION_ID, value);
            assertThat(masked.length() - "****".length()).isLessThanOrEqualTo(Math.min(8, length / 4));
        }
    }

    @Test
    void memberNumbersAreShownAsTheyAre() {
        assertThat(IdentifierMask.mask(IdentifierType.MEMBER_NO, "M-000123")).isEqualTo("M-000123");
    }

    @Test
    void evidenceIdentifiersAreMaskedByTheirTypeAndOrderAndEventKeysAreKept() {
        assertThat(IdentifierMask.maskEvidence("phone:+8613800138000")).isEqualTo("phone:+86 138****8000");
        assertThat(IdentifierMask.maskEvidence("email:alice@example.com")).isEqualTo("email:a***@example.com");
        assertThat(IdentifierMask.maskEvidence("order:pos:o-17")).isEqualTo("order:pos:o-17");
        assertThat(IdentifierMask.maskEvidence("event:pos:e-17")).isEqualTo("event:pos:e-17");
        assertThat(IdentifierMask.maskEvidence("member_no:M-1")).isEqualTo("member_no:M-1");
        // an entry of no known kind is masked as an opaque id
        assertThat(IdentifierMask.maskEvidence("something:abcdefghijklmnop")).isEqualTo("something:ab****op");
        assertThat(IdentifierMask.maskEvidence("abcdefgh")).isEqualTo("a****h");
    }

    @Test
    void aMembersViewAndAMergeAreMaskedEverywhereTheyHoldAValue() {
        Instant at = Instant.parse("2025-01-01T00:00:00Z");
        MemberView view = new MemberView("m-1", at, null, 3,
                List.of(new MemberView.LinkedIdentifier(IdentifierType.PHONE, "+8613800138000", at, at),
                        new MemberView.LinkedIdentifier(IdentifierType.MEMBER_NO, "M-1", at, at)),
                List.of(new MemberView.PastIdentifier(IdentifierType.EMAIL, "alice@example.com", at, at, at)),
                List.of(new MemberView.LinkedIdentifier(IdentifierType.PHONE, "00000000000", at, at)));
        MemberView masked = IdentifierMask.masked(view);
        assertThat(masked.identifiers()).extracting(MemberView.LinkedIdentifier::value)
                .containsExactly("+86 138****8000", "M-1");
        assertThat(masked.pastIdentifiers()).extracting(MemberView.PastIdentifier::value).containsExactly("a***@example.com");
        assertThat(masked.quarantinedIdentifiers()).extracting(MemberView.LinkedIdentifier::value)
                .containsExactly("000****0000");
        assertThat(masked.identifiers().get(0).firstSeen()).isEqualTo(at);
        assertThat(masked.eventCount()).isEqualTo(3);

        RecordedMerge merge = new RecordedMerge("e-1", "m-1", "m-2", "phone", 1.0,
                List.of("phone:+8613800138000", "order:pos:o-1"), List.of("surname agree (+2.0)"), "pos:e-1", at, at, null);
        assertThat(IdentifierMask.masked(merge).identifiers()).containsExactly("phone:+86 138****8000", "order:pos:o-1");
        assertThat(IdentifierMask.masked(merge).reasons()).containsExactly("surname agree (+2.0)");
    }
}
