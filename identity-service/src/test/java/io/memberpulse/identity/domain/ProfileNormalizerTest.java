package io.memberpulse.identity.domain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProfileNormalizerTest {
    @Test
    void aNameInHanziOrPinyinInAnyOrderAndCaseHasOneKey() {
        var hanzi = ProfileNormalizer.name("王旭");
        assertThat(hanzi.surnames()).containsExactly("wang");
        for (String other : new String[] {"Wang Xu", "WANG XU", "Xu Wang", "wangxu"}) {
            assertThat(ProfileNormalizer.name(other).fullNames()).as(other).contains("wangxu");
        }
        assertThat(ProfileNormalizer.name("Xu Wang").surnames()).contains("wang");
        assertThat(ProfileNormalizer.name("王娟").fullNames()).doesNotContain("wangxu");
    }

    @Test
    void aCourtesyFormGivesTheSurnameOnly() {
        var name = ProfileNormalizer.name("郑先生");
        assertThat(name.surnames()).containsExactly("zheng");
        assertThat(name.fullNames()).isEmpty();
        assertThat(ProfileNormalizer.name("贺女士").surnames()).containsExactly("he");
        assertThat(ProfileNormalizer.name(" ").isEmpty()).isTrue();
    }

    @Test
    void freeTypedAddressesOfOneFlatHaveOneKey() {
        String key = ProfileNormalizer.address("梧桐苑25栋1105").home();
        assertThat(key).isEqualTo("梧桐苑|25|1105");
        for (String other : new String[] {"延安路242号梧桐苑25号楼1105室", "宝安区延安路242号梧桐苑25-1-1105",
                "梧桐苑25栋1105, 放门口", "广东省 深圳市 宝安区 延安路242号 梧桐苑25栋1105室",
                "深圳市宝安区延安路242号梧桐苑25栋3单元1105室"}) {
            assertThat(ProfileNormalizer.address(other).home()).as(other).isEqualTo(key);
        }
        assertThat(ProfileNormalizer.address("梧桐苑25栋1106").home()).isNotEqualTo(key);
    }

    @Test
    void theCityIsReadFromTheHeadOfAnAddress() {
        assertThat(ProfileNormalizer.city("广东省 深圳市 罗湖区 滨江大道1045号 星河湾27栋302室")).isEqualTo("深圳");
        assertThat(ProfileNormalizer.city("北京 北京市 东城区 朝阳路1668号 御景湾15栋3201室")).isEqualTo("北京");
        assertThat(ProfileNormalizer.city("重庆市渝北区友谊路1312号碧桂园23栋3单元3004室")).isEqualTo("重庆");
        // a 市 further in (a road, an estate) is no city
        assertThat(ProfileNormalizer.city("梧桐苑25栋1105")).isNull();
        assertThat(ProfileNormalizer.city("宝安区新城市花园5栋102")).isNull();
        assertThat(ProfileNormalizer.city(null)).isNull();
    }

    /** A building or floor number too long for an int (a phone typed into the address) is kept as typed, never thrown on. */
    @Test
    void aBuildingOrFloorNumberOfAnyLengthIsNormalisedWithoutOverflow() {
        assertThat(ProfileNormalizer.address("梧桐苑13800138000-1102").home()).isEqualTo("梧桐苑|13800138000|1102");
        assertThat(ProfileNormalizer.address("国贸大厦99999999999层").office()).isEqualTo("国贸大厦|99999999999");
        assertThat(ProfileNormalizer.address("国贸大厦" + "9".repeat(200) + "层").office()).isEqualTo("国贸大厦|" + "9".repeat(200));
        // leading zeros still go, as the number they write
        assertThat(ProfileNormalizer.address("梧桐苑025栋1105").home()).isEqualTo("梧桐苑|25|1105");
        assertThat(ProfileNormalizer.address("国贸大厦000012层").office()).isEqualTo("国贸大厦|12");
        assertThat(ProfileNormalizer.address("国贸大厦0层").office()).isEqualTo("国贸大厦|0");
    }

    @Test
    void anOfficeFloorIsKeptApartFromHomes() {
        var office = ProfileNormalizer.address("人民路100号国际金融中心5层前台");
        assertThat(office.home()).isNull();
        assertThat(office.office()).isEqualTo("国际金融中心|5");
        assertThat(ProfileNormalizer.address("人民路100号国际金融中心5层").office()).isEqualTo(office.office());
    }
}
