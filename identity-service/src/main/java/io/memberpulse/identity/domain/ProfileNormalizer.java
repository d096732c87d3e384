package io.memberpulse.identity.domain;

import java.text.Normalizer;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.sourceforge.pinyin4j.PinyinHelper;
import net.sourceforge.pinyin4j.format.HanyuPinyinCaseType;
import net.sourceforge.pinyin4j.format.HanyuPinyinOutputFormat;
import net.sourceforge.pinyin4j.format.HanyuPinyinToneType;
import net.sourceforge.pinyin4j.format.exception.BadHanyuPinyinOutputFormatCombination;

/**
 * Makes profile hints comparable: names in hanzi or pinyin (any order or case) to pinyin keys, the
 * courtesy form 王先生 to its surname, free-typed addresses to their estate + building + room (the unit,
 * 3单元, left out as the dash form 25-3-1105 leaves it; an office floor is kept apart: many people share it).
 */
public final class ProfileNormalizer {
    private static final Pattern HANZI = Pattern.compile("\\p{IsHan}+");
    private static final Pattern COURTESY = Pattern.compile("^(\\p{IsHan}{1,2}?)(先生|女士|小姐|太太)$");
    private static final Pattern LATIN_NAME = Pattern.compile("[a-z]+( [a-z]+)*");
    private static final Pattern REGION_PREFIX = Pattern.compile("^(\\p{IsHan}{2,7}?(省|自治区))?(\\p{IsHan}{2,6}?市)?(\\p{IsHan}{1,6}?(区|县))?");
    private static final Pattern ROAD_PREFIX = Pattern.compile("^\\p{IsHan}{1,8}?(路|街|大道|大街|巷)\\d+号");
    private static final Pattern HOME = Pattern.compile("^(\\D+?)(\\d+)(?:栋|号楼|幢|座|-\\d+-|-)(?:\\d+单元)?(\\d+)室?$");
    /** The city at the head of an address: 深圳市…, 广东省 深圳市…, 北京 北京市… (province, then city). */
    private static final Pattern CITY = Pattern.compile("^(?:\\p{IsHan}{2,7}?(?:省|自治区))?\\s*(?:\\p{IsHan}{2,3}\\s+)?(\\p{IsHan}{2,3}?)市");
    private static final Pattern OFFICE = Pattern.compile("^(\\D+?)(\\d+)层$");
    private static final Pattern SEPARATORS = Pattern.compile("[\\s·.,_-]+");
    private static final Pattern SPACES = Pattern.compile("\\s+");
    private static final HanyuPinyinOutputFormat FORMAT = new HanyuPinyinOutputFormat();

    static {
        FORMAT.setCaseType(HanyuPinyinCaseType.LOWERCASE);
        FORMAT.setToneType(HanyuPinyinToneType.WITHOUT_TONE);
    }

    private ProfileNormalizer() {
    }

    /** A person's name as the keys it can be compared by. */
    public record NameKeys(Set<String> surnames, Set<String> fullNames) {
        public static final NameKeys NONE = new NameKeys(Set.of(), Set.of());

        public boolean isEmpty() {
            return surnames.isEmpty() && fullNames.isEmpty();
        }
    }

    /** A normalised address: {@code home} for a flat (estate|building|room), {@code office} for a floor. */
    public record AddressKey(String home, String office) {
        public static final AddressKey NONE = new AddressKey(null, null);

        public boolean isEmpty() {
            return home == null && office == null;
        }
    }

    public static NameKeys name(String reported) {
        if (reported == null || reported.isBlank()) {
            return NameKeys.NONE;
        }
        String name = Normalizer.normalize(reported, Normalizer.Form.NFKC).trim().toLowerCase(Locale.ROOT);
        name = SEPARATORS.matcher(name).replaceAll(" ").trim();
        Matcher courtesy = COURTESY.matcher(name.replace(" ", ""));
        if (courtesy.matches()) {
            return new NameKeys(Set.of(pinyin(courtesy.group(1))), Set.of());
        }
        if (HANZI.matcher(name.replace(" ", "")).matches()) {
            String hanzi = name.replace(" ", "");
            if (hanzi.length() < 2 || hanzi.length() > 4) {
                return new NameKeys(Set.of(), Set.of(pinyin(hanzi))); // a nickname: compared whole
            }
            // the surname is the first character (compound surnames are rare enough to ignore)
            return new NameKeys(Set.of(pinyin(hanzi.substring(0, 1))), Set.of(pinyin(hanzi)));
        }
        if (LATIN_NAME.matcher(name).matches()) {
            String[] tokens = name.split(" ");
            if (tokens.length == 1) {
                return new NameKeys(Set.of(), Set.of(tokens[0]));
            }
            Set<String> surnames = new LinkedHashSet<>();
            Set<String> fullNames = new LinkedHashSet<>();
            // pinyin names come surname first or last (Wang Xu, Xu Wang)
            surnames.add(tokens[0]);
            surnames.add(tokens[tokens.length - 1]);
            fullNames.add(String.join("", tokens));
            StringBuilder reversed = new StringBuilder(tokens[tokens.length - 1]);
            for (int i = 0; i < tokens.length - 1; i++) {
                reversed.append(tokens[i]);
            }
            fullNames.add(reversed.toString());
            return new NameKeys(surnames, fullNames);
        }
        return new NameKeys(Set.of(), Set.of(name.replace(" ", "")));
    }

    /** The pinyin of hanzi (first reading of each character), other characters kept. */
    static String pinyin(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) {
            try {
                String[] readings = PinyinHelper.toHanyuPinyinStringArray(c, FORMAT);
                out.append(readings == null || readings.length == 0 ? String.valueOf(c) : readings[0]);
            } catch (BadHanyuPinyinOutputFormatCombination e) {
                throw new IllegalStateException(e);
            }
        }
        return out.toString();
    }

    public static AddressKey address(String reported) {
        if (reported == null || reported.isBlank()) {
            return AddressKey.NONE;
        }
        String address = Normalizer.normalize(reported, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        int note = indexOfAny(address, ",，;；(（");
        if (note > 0) {
            address = address.substring(0, note); // delivery notes such as "放门口"
        }
        address = SPACES.matcher(address).replaceAll("").replace("前台", "");
        address = REGION_PREFIX.matcher(address).replaceFirst("");
        address = ROAD_PREFIX.matcher(address).replaceFirst("");
        Matcher home = HOME.matcher(address);
        if (home.matches()) {
            return new AddressKey(home.group(1) + "|" + withoutLeadingZeros(home.group(2)) + "|" + home.group(3), null);
        }
        Matcher office = OFFICE.matcher(address);
        if (office.matches()) {
            return new AddressKey(null, office.group(1) + "|" + withoutLeadingZeros(office.group(2)));
        }
        return address.isEmpty() ? AddressKey.NONE : new AddressKey(address, null);
    }

    /**
     * The number as written without its leading zeros (025 and 25 are one building). Not parsed as an int: a
     * phone typed into an address (梧桐苑13800138000-1102) overflowed it and the exception stopped the whole import.
     */
    private static String withoutLeadingZeros(String digits) {
        int start = 0;
        while (start < digits.length() - 1 && digits.charAt(start) == '0') {
            start++;
        }
        return digits.substring(start);
    }

    /** The city an address starts with (without 市), or null when it names none. */
    public static String city(String reported) {
        if (reported == null || reported.isBlank()) {
            return null;
        }
        Matcher city = CITY.matcher(Normalizer.normalize(reported, Normalizer.Form.NFKC).trim());
        return city.find() ? city.group(1) : null;
    }

    private static int indexOfAny(String text, String characters) {
        int found = -1;
        for (char c : characters.toCharArray()) {
            int at = text.indexOf(c);
            if (at >= 0 && (found < 0 || at < found)) {
                found = at;
            }
        }
        return found;
    }
}
