package io.memberpulse.identity.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProfileComparatorTest {
    static final ProfileComparator.Frequencies EVEN = new ProfileComparator.Frequencies() {
        @Override
        public double storeShare(String store) {
            return 0.01;
        }

        @Override
        public double surnameShare(String surname) {
            return 0.01;
        }

        @Override
        public double maskedPhoneShare(String maskedKey) {
            return 0.001;
        }

        @Override
        public boolean exclusiveDevice(String device) {
            return false;
        }
    };

    static int fullNameLevel(String eventName, String candidateName) {
        MemberProfile candidate = new MemberProfile();
        var keys = ProfileNormalizer.name(candidateName);
        candidate.surnames.addAll(keys.surnames());
        candidate.fullNames.addAll(keys.fullNames());
        EventEvidence event = EventEvidence.of(0, "ecommerce:e0", List.of(), null, null, eventName, null, null, null);
        return new ProfileComparator(MatchWeights.DEFAULTS).compare(event, null, candidate, EVEN)
                .levels()[ProfileComparator.FULL_NAME];
    }

    @Test
    void fullNamesAreComparedBySimilarityOfTheirPinyinNotOnlyExactly() {
        assertThat(fullNameLevel("王晓明", "Wang Xiaoming")).isEqualTo(ProfileComparator.AGREE);
        // a slip in the typed pinyin still agrees
        assertThat(fullNameLevel("Wang Xiaomign", "王晓明")).isEqualTo(ProfileComparator.AGREE);
        // another given name of the same surname does not
        assertThat(fullNameLevel("王磊", "王晓明")).isEqualTo(2);
        // no surname in common: the full name is not compared at all
        assertThat(fullNameLevel("李晓明", "王晓明")).isZero();
    }
}
