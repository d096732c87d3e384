package io.memberpulse.rfm.domain;

import java.time.Instant;
import java.time.LocalDate;
import java.time.Period;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The basic family from the profile hints members' events carry: gender, age band (from the birth
 * date, as of the instant), city and region, registration date (the first register event). The
 * latest non-empty hint wins; nothing after {@code asOf} counts. Dates are the chain's calendar days
 * (a registration at 20:00 UTC is the next morning in Shanghai).
 */
public final class ProfileTags {
    /** Greater regions of mainland China by city (names as written, with or without 市). */
    static final Map<String, String> REGION_OF_CITY = Map.ofEntries(
            Map.entry("北京", "华北"), Map.entry("天津", "华北"), Map.entry("石家庄", "华北"), Map.entry("太原", "华北"),
            Map.entry("呼和浩特", "华北"), Map.entry("上海", "华东"), Map.entry("南京", "华东"), Map.entry("苏州", "华东"),
            Map.entry("无锡", "华东"), Map.entry("杭州", "华东"), Map.entry("宁波", "华东"), Map.entry("合肥", "华东"),
            Map.entry("福州", "华东"), Map.entry("厦门", "华东"), Map.entry("济南", "华东"), Map.entry("青岛", "华东"),
            Map.entry("南昌", "华东"), Map.entry("广州", "华南"), Map.entry("深圳", "华南"), Map.entry("东莞", "华南"),
            Map.entry("佛山", "华南"), Map.entry("珠海", "华南"), Map.entry("南宁", "华南"), Map.entry("海口", "华南"),
            Map.entry("武汉", "华中"), Map.entry("长沙", "华中"), Map.entry("郑州", "华中"), Map.entry("重庆", "西南"),
            Map.entry("成都", "西南"), Map.entry("昆明", "西南"), Map.entry("贵阳", "西南"), Map.entry("拉萨", "西南"),
            Map.entry("西安", "西北"), Map.entry("兰州", "西北"), Map.entry("西宁", "西北"), Map.entry("银川", "西北"),
            Map.entry("乌鲁木齐", "西北"), Map.entry("沈阳", "东北"), Map.entry("大连", "东北"), Map.entry("长春", "东北"),
            Map.entry("哈尔滨", "东北"));

    private ProfileTags() {
    }

    public static List<Tag> of(List<MemberFact> facts, Instant asOf, ZoneId dayZone) {
        List<MemberFact> known = facts.stream().filter(f -> !f.occurredAt().isAfter(asOf))
                .sorted(Comparator.comparing(MemberFact::occurredAt)).toList();
        String gender = null;
        String birthDate = null;
        String city = null;
        Instant registered = null;
        for (MemberFact fact : known) {
            gender = fact.gender() != null ? fact.gender() : gender;
            birthDate = fact.birthDate() != null ? fact.birthDate() : birthDate;
            city = fact.city() != null ? fact.city() : city;
            if (fact.kind() == MemberFact.Kind.REGISTER && registered == null) {
                registered = fact.occurredAt();
            }
        }
        List<Tag> tags = new ArrayList<>();
        String normalGender = gender(gender);
        if (normalGender != null) {
            tags.add(new Tag("basic", "gender", normalGender));
        }
        String ageBand = ageBand(birthDate, asOf.atZone(dayZone).toLocalDate());
        if (ageBand != null) {
            tags.add(new Tag("basic", "age_band", ageBand));
        }
        if (city != null) {
            String cityName = city.endsWith("市") ? city.substring(0, city.length() - 1) : city;
            tags.add(new Tag("basic", "city", cityName));
            String region = REGION_OF_CITY.get(cityName);
            if (region != null) {
                tags.add(new Tag("basic", "region", region));
            }
        }
        if (registered != null) {
            tags.add(new Tag("basic", "registration_date", registered.atZone(dayZone).toLocalDate().toString()));
        }
        return tags;
    }

    static String gender(String reported) {
        if (reported == null) {
            return null;
        }
        return switch (reported.toLowerCase(Locale.ROOT)) {
            case "m", "male", "man", "男" -> "male";
            case "f", "female", "woman", "女" -> "female";
            default -> null;
        };
    }

    /** The band of the age on {@code today}; null for a missing, unreadable or implausible birth date. */
    static String ageBand(String birthDate, LocalDate today) {
        if (birthDate == null) {
            return null;
        }
        LocalDate born;
        try {
            born = LocalDate.parse(birthDate.length() > 10 ? birthDate.substring(0, 10) : birthDate);
        } catch (DateTimeParseException e) {
            return null;
        }
        int age = Period.between(born, today).getYears();
        if (age < 0 || age > 120) {
            return null;
        }
        if (age < 18) {
            return "<18";
        }
        if (age >= 65) {
            return "65+";
        }
        int[] bounds = {18, 25, 35, 45, 55, 65};
        for (int i = 1; i < bounds.length; i++) {
            if (age < bounds[i]) {
                return bounds[i - 1] + "-" + (bounds[i] - 1);
            }
        }
        throw new IllegalStateException("unreachable: age " + age);
    }
}
