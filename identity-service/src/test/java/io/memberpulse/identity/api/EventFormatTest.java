package io.memberpulse.identity.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.memberpulse.identity.domain.IdentifierNormalizer;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.Source;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EventFormatTest {
    final EventFormat format = new EventFormat(ZoneId.of("Asia/Shanghai"));
    final ChannelEventRules rules = new ChannelEventRules(new IdentifierNormalizer("CN"));

    static Map<String, String> order() {
        Map<String, String> cells = new HashMap<>(Map.of("event_id", "e1", "source", "pos", "type", "order",
                "occurred_at", "2024-03-01T10:00:00", "member_no", "M1", "order_id", "o1", "quantity", "2",
                "paid_amount", "19.90"));
        cells.put("store_id", "s1");
        return cells;
    }

    @Test
    void theKnownColumnsAreExactlyTheOnesParseReads() {
        Set<String> read = new HashSet<>();
        format.parse(new HashMap<>() {
            @Override
            public String get(Object column) {
                read.add((String) column);
                return null;
            }
        });
        assertThat(EventFormat.COLUMNS).containsExactlyInAnyOrderElementsOf(read);
    }

    @Test
    void anOffsetMayBeWrittenWithOrWithoutItsColonAndMinutes() {
        Instant tenInShanghai = Instant.parse("2024-03-01T02:00:00Z");
        for (String written : List.of("2024-03-01T10:00:00+08:00", "2024-03-01T10:00:00+0800", "2024-03-01 10:00:00+08",
                "2024-03-01T02:00:00Z", "2024-03-01t02:00:00z", "2024-03-01T02:00Z", "2024-02-29T21:00:00.000-05:00",
                "2024-02-29T21:00:00-0500", "2024-03-01T10:00:00")) {
            assertThat(format.instant(written)).as(written).isEqualTo(tenInShanghai);
        }
        for (String unreadable : List.of("2024-03-01T10:00:00+8", "2024-03-01T10:00:00+08:0", "2024-03-01T10:00:00 CST")) {
            Map<String, String> cells = order();
            cells.put("occurred_at", unreadable);
            assertThat(format.parse(cells).errors()).as(unreadable).extracting(FieldError::field).containsExactly("occurred_at");
        }
    }

    @Test
    void aValidRowBecomesAChannelEventWithLocalTimeInTheConfiguredZone() {
        var parsed = format.parse(order());
        assertThat(parsed.errors()).isEmpty();
        assertThat(rules.check(parsed.event())).isEmpty();
        assertThat(parsed.event().getSource()).isEqualTo(Source.SOURCE_POS);
        assertThat(parsed.event().getType()).isEqualTo(EventType.EVENT_TYPE_ORDER);
        assertThat(parsed.event().getOccurredAt().getSeconds())
                .isEqualTo(Instant.parse("2024-03-01T02:00:00Z").getEpochSecond());
        assertThat(parsed.event().getLine().getPaidAmount()).isEqualTo(19.90);
    }

    @Test
    void aMarginRateThatIsNotANumberIsRefusedAsOutsideItsRange() {
        // The CSV reader refuses NaN as an unreadable cell; a protobuf double from gRPC or Kafka carries it as it is.
        var event = format.parse(order()).event();
        var withNaN = event.toBuilder().setLine(event.getLine().toBuilder().setMarginRate(Double.NaN)).build();
        assertThat(rules.check(withNaN)).extracting(FieldError::field).containsExactly("margin_rate");
    }

    @Test
    void unreadableCellsAndBrokenRulesNameTheirField() {
        Map<String, String> cells = order();
        cells.put("occurred_at", "03/01/2024");
        cells.put("source", "fax");
        cells.put("paid_amount", "a lot");
        cells.put("margin_rate", "1.5");
        var parsed = format.parse(cells);
        assertThat(parsed.errors()).extracting(FieldError::field)
                .containsExactlyInAnyOrder("occurred_at", "source", "paid_amount");
        assertThat(rules.check(parsed.event())).extracting(FieldError::field)
                .contains("margin_rate", "paid_amount", "source", "occurred_at");
    }

    @Test
    void memberBearingEventsNeedAnIdentifierButStockoutsDoNot() {
        Map<String, String> cells = order();
        cells.remove("member_no");
        assertThat(rules.check(format.parse(cells).event())).extracting(FieldError::field).containsExactly("identifiers");
        Map<String, String> stockout = new HashMap<>(Map.of("event_id", "s1", "source", "pos", "type", "stockout",
                "occurred_at", "2024-03-01T10:00:00+08:00", "store_id", "s1", "sku", "A1"));
        assertThat(rules.check(format.parse(stockout).event())).isEmpty();
        stockout.remove("store_id");
        assertThat(rules.check(format.parse(stockout).event())).extracting(FieldError::field).containsExactly("store_id");
    }

    @Test
    void anEventLaterThanTheClockPlusTheAcceptedSkewIsRefusedNamingOccurredAt() {
        Instant now = Instant.parse("2026-12-04T12:00:00Z");
        ChannelEventRules rulesAtNoon = new ChannelEventRules(new IdentifierNormalizer("CN"),
                Clock.fixed(now, ZoneOffset.UTC), Duration.ofDays(1));
        Map<String, String> cells = order();
        cells.put("occurred_at", "2026-12-05T12:00:00Z"); // a till a whole day fast: still accepted
        assertThat(rulesAtNoon.check(format.parse(cells).event())).isEmpty();

        cells.put("occurred_at", "2026-12-05T12:00:01Z");
        assertThat(rulesAtNoon.check(format.parse(cells).event())).singleElement().satisfies(error -> {
            assertThat(error.field()).isEqualTo("occurred_at");
            assertThat(error.reason()).isEqualTo("is in the future: 2026-12-05T12:00:01Z is later than now plus PT24H"
                    + " of accepted clock skew (2026-12-05T12:00:00Z)");
        });
        cells.put("occurred_at", "2099-01-01T00:00:00+08:00");
        assertThat(rulesAtNoon.check(format.parse(cells).event())).extracting(FieldError::field).containsExactly("occurred_at");
    }

    @Test
    void aControlCharacterInsideAnyTextCellIsRefusedNamingTheFieldButFreeTextKeepsTabsAndLineBreaks() {
        Map<String, String> cells = order();
        cells.put("name", "王\u0000五");
        cells.put("member_no", "M\u001b1");
        cells.put("sku", "A\u0085");
        cells.put("review_text", "fresh\tand\r\ncheap");
        cells.put("address", "延安路242号\n梧桐苑25号楼1105室");
        var parsed = format.parse(cells);
        assertThat(parsed.errors()).isEmpty();
        assertThat(rules.check(parsed.event())).extracting(FieldError::toString).containsExactlyInAnyOrder(
                "name: contains the control character U+0000 at character 2",
                "member_no: contains the control character U+001B at character 2",
                "sku: contains the control character U+0085 at character 2");

        cells = order();
        cells.put("review_text", "o\u0000k"); // (a NUL at either end is trimmed away with the spaces)
        cells.put("event_id", "e\t1");
        assertThat(rules.check(format.parse(cells).event())).extracting(FieldError::toString).containsExactlyInAnyOrder(
                "review_text: contains the control character U+0000 at character 2 (tab and line breaks are the only ones accepted)",
                "event_id: contains the control character U+0009 at character 2");
    }
}
