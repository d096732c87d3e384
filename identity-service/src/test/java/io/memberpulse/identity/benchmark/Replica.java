package io.memberpulse.identity.benchmark;

import java.util.Set;
import org.apache.commons.csv.CSVRecord;

/**
 * One copy of a data set as other people: event ids, order ids and every identifier rewritten the
 * same way within the copy (so the copy stitches like the original) and differently from other
 * copies. Phones stay valid mobile numbers (the last eight digits shifted); placeholder phones stay
 * placeholders, as a real chain's tills type the same ones.
 */
final class Replica {
    private static final Set<String> PLACEHOLDERS = Set.of("13800000000", "00000000000", "11111111111", "13888888888",
            "18888888888", "13900000000", "12345678901");
    private static final Set<String> IDENTIFIERS = Set.of("union_id", "openid", "member_no", "device_id", "platform_uid");
    private static final Set<String> IDS = Set.of("event_id", "order_id", "coupon_id");

    private final String tag;
    private final long shift;

    Replica(String tag, int copy) {
        this.tag = tag;
        this.shift = 10_000_019L * (copy + 1);
    }

    String id(String value) {
        return value.isBlank() ? value : tag + "-" + value;
    }

    String[] rewrite(CSVRecord row, String[] header) {
        String[] cells = new String[header.length];
        for (int i = 0; i < header.length; i++) {
            String column = header[i];
            String value = row.get(i);
            if (IDS.contains(column) || IDENTIFIERS.contains(column)) {
                value = id(value);
            } else if (column.equals("email") && !value.isBlank()) {
                value = tag + "." + value;
            } else if (column.equals("phone") && !value.isBlank()) {
                value = phone(value);
            }
            cells[i] = value;
        }
        return cells;
    }

    /** The same phone of another person: digits shifted in the last eight places, notation dropped. */
    private String phone(String value) {
        String digits = value.replaceAll("[^0-9*]", "");
        if (digits.startsWith("86") && digits.length() == 13) {
            digits = digits.substring(2);
        }
        if (PLACEHOLDERS.contains(digits) || digits.length() != 11) {
            return value;
        }
        if (digits.contains("*")) { // masked: 138****8000 keeps its shape, the visible tail moves
            int tail = Integer.parseInt(digits.substring(7));
            return digits.substring(0, 7) + String.format("%04d", (tail + shift) % 10_000);
        }
        long rest = Long.parseLong(digits.substring(3));
        return digits.substring(0, 3) + String.format("%08d", (rest + shift) % 100_000_000L);
    }
}
