package io.memberpulse.identity.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdentifierNormalizerTest {
    final IdentifierNormalizer normalizer = new IdentifierNormalizer("CN");

    static RawIdentifiers phone(String phone) {
        return new RawIdentifiers(phone, null, null, null, null, null, null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"13800138000", "+86 138-0013-8000", "+8613800138000", "0086 138 0013 8000", " 138 0013 8000 "})
    void phonesInAnyCommonNotationBecomeOneE164Value(String written) {
        assertThat(normalizer.normalize(phone(written)))
                .containsExactly(new Identifier(IdentifierType.PHONE, "+8613800138000"));
    }

    @Test
    void aMaskedPhoneIsKeptAsAWeakKey() {
        Identifier masked = normalizer.normalize(phone("138****8000")).get(0);
        assertThat(masked).isEqualTo(new Identifier(IdentifierType.MASKED_PHONE, "138****8000"));
        assertThat(masked.type().isStrong()).isFalse();
    }

    @Test
    void aValueThatIsNoPhoneIsRefusedNamingTheField() {
        assertThatThrownBy(() -> normalizer.normalize(phone("12345")))
                .isInstanceOfSatisfying(InvalidIdentifierException.class, e -> assertThat(e.field()).isEqualTo("phone"));
        assertThatThrownBy(() -> normalizer.normalize(phone("call me")))
                .isInstanceOf(InvalidIdentifierException.class);
    }

    @Test
    void aRefusalNamesTheFieldAndTheRuleButNeverTheValue() {
        // Refusals reach logs, rejected-row reports and dead-letter headers: no phone or address in them.
        assertRefused(phone("12345"), "phone", "not a valid phone number", "12345");
        assertRefused(phone("call me"), "phone", "not a phone number", "call");
        assertRefused(new RawIdentifiers(null, null, null, null, null, null, "wang.li at example.com"), "email",
                "not an e-mail address", "wang.li");
    }

    private void assertRefused(RawIdentifiers raw, String field, String rule, String valuePart) {
        assertThatThrownBy(() -> normalizer.normalize(raw)).isInstanceOfSatisfying(InvalidIdentifierException.class,
                e -> {
                    assertThat(e.field()).isEqualTo(field);
                    assertThat(e.getMessage()).contains(rule).doesNotContain(valuePart);
                });
    }

    @Test
    void emailsAreLowerCasedAndOtherIdentifiersTrimmed() {
        var identifiers = normalizer.normalize(new RawIdentifiers(null, " oU1 ", null, "M001 ", "dev-9", null, "Li.Na@Example.COM"));
        assertThat(identifiers).containsExactlyInAnyOrder(
                new Identifier(IdentifierType.UNION_ID, "oU1"),
                new Identifier(IdentifierType.MEMBER_NO, "M001"),
                new Identifier(IdentifierType.DEVICE_ID, "dev-9"),
                new Identifier(IdentifierType.EMAIL, "li.na@example.com"));
        assertThatThrownBy(() -> normalizer.normalize(new RawIdentifiers(null, null, null, null, null, null, "nope")))
                .isInstanceOfSatisfying(InvalidIdentifierException.class, e -> assertThat(e.field()).isEqualTo("email"));
    }

    /**
     * The e-mail rule was rewritten so that it never backtracks (the old pattern took seconds on "a@b.b.b…@" of tens of
     * kilobytes); it takes and refuses exactly what it did: text, an @, and a domain with a dot neither first nor last.
     */
    @ParameterizedTest
    @ValueSource(strings = {"a@b.c", "li.na@mail.example.com", "a@b..c", "a@b.c.", "a@.b.c", "a.@b-c.d", "\"q\"@x.cn"})
    void anAddressTheImportTookIsStillTaken(String address) {
        assertThat(normalizer.normalize(new RawIdentifiers(null, null, null, null, null, null, address)))
                .containsExactly(new Identifier(IdentifierType.EMAIL, address));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a@bc", "a@b.", "a@.c", "@b.c", "a@b@c.d", "a b@c.d", "a@b.c@", "a@b.b.b.b.b.b.b.b.b.@"})
    void anAddressTheImportRefusedIsStillRefused(String address) {
        assertThatThrownBy(() -> normalizer.normalize(new RawIdentifiers(null, null, null, null, null, null, address)))
                .isInstanceOfSatisfying(InvalidIdentifierException.class, e -> assertThat(e.field()).isEqualTo("email"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-", " -- ", "/", "—", "0", "00", "NULL", "n/a", "None", "无", "未知", "***"})
    void aNoValueMarkerIsNoIdentifierNeitherRefusedNorKept(String marker) {
        // a till's "-" beside a member number: the row is the member's order, not a bad row, and no guest shares it
        assertThat(normalizer.normalize(new RawIdentifiers(marker, marker, null, "M001", null, marker, marker)))
                .containsExactly(new Identifier(IdentifierType.MEMBER_NO, "M001"));
        assertThat(new RawIdentifiers(marker, null, marker, marker, marker, null, null).isEmpty()).isTrue();
        // a real value that merely contains such characters stays a value
        assertThat(normalizer.normalize(new RawIdentifiers(null, null, null, "0-" + marker.strip() + "-7", null, null, null)))
                .hasSize(1);
    }

    @Test
    void aBlockedPlaceholderIsKeptAsItsDigitsNotRejected() {
        IdentifierNormalizer guarded = new IdentifierNormalizer("CN", StitchGuardrails.DEFAULTS::isBlocked);
        assertThat(guarded.normalize(phone("000-0000-0000")))
                .containsExactly(new Identifier(IdentifierType.PHONE, "00000000000"));
        assertThatThrownBy(() -> guarded.normalize(phone("00000000001"))).isInstanceOf(InvalidIdentifierException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1381234567", "1381234 5678 9", "10812345678"})
    void aTillTypedPhoneOneSlipFromAMobileIsKeptAsWeakEvidence(String typed) {
        Identifier phone = normalizer.normalize(phone(typed)).get(0);
        assertThat(phone.type()).isEqualTo(IdentifierType.MISTYPED_PHONE);
        assertThat(phone.type().isStrong()).isFalse();
        assertThat(phone.value()).startsWith("+86");
    }

    @Test
    void slipsAreOneCharacterChangedDroppedAddedOrTwoNeighboursSwapped() {
        assertThat(ProfileComparator.oneSlipApart("13812345678", "13812345679")).isTrue();
        assertThat(ProfileComparator.oneSlipApart("13812345678", "1381234567")).isTrue();
        assertThat(ProfileComparator.oneSlipApart("13812345678", "138123456781")).isTrue();
        assertThat(ProfileComparator.oneSlipApart("13812345678", "13812345687")).isTrue();
        assertThat(ProfileComparator.oneSlipApart("13812345678", "13812345678")).isFalse();
        assertThat(ProfileComparator.oneSlipApart("13812345678", "13812346587")).isFalse();
    }
}
