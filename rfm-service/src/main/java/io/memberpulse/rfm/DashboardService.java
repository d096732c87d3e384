package io.memberpulse.rfm;

import io.memberpulse.rfm.domain.Dashboard;
import io.memberpulse.rfm.domain.InvalidParameterException;
import io.memberpulse.rfm.domain.StoreRegion;
import io.memberpulse.rfm.store.DashboardRepository;
import io.memberpulse.rfm.store.StreamClockRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

/** The dashboard views, over a window that defaults to the 90 days up to the event-time clock. */
@ApplicationScoped
public class DashboardService {
    private static final Duration DEFAULT_WINDOW = Duration.ofDays(90);

    private final DashboardRepository dashboards;
    private final StreamClockRepository streamClock;

    /** memberpulse.rfm.day-zone: the calendar weeks and days are cut in. */
    private final ZoneId dayZone;

    public DashboardService(DashboardRepository dashboards, StreamClockRepository streamClock, RfmConfig config) {
        this.dashboards = dashboards;
        this.streamClock = streamClock;
        this.dayZone = config.rfm().dayZone();
    }

    /**
     * [from, to): given bounds, else the last 90 days of event time. A from at or after the end (to, or the event
     * clock when to is not given) is refused naming from: an empty window would answer every view with nothing.
     *
     * @param clock the event-time clock (without one, the window's end): what the funnel's 7 days are measured to
     */
    public record Window(Instant from, Instant to, Instant clock) {
    }

    public Uni<Window> window(Instant from, Instant to) {
        return streamClock.watermark().map(clock -> {
            Instant end = to != null ? to : clock.map(c -> c.plusSeconds(1)).orElse(Instant.now());
            Instant start = from != null ? from : end.minus(DEFAULT_WINDOW);
            if (!end.isAfter(start)) {
                // only a from at or after the event clock gets here (from and to given are checked by the caller):
                // the window would be empty, and every view answer nothing as if nothing had happened
                throw new InvalidParameterException("from", "must be before the window's end, " + end
                        + " (the event clock, when to is not given)");
            }
            return new Window(start, end, clock.orElse(end));
        });
    }

    public Uni<List<Dashboard.FunnelRow>> funnel(Window w) {
        return dashboards.funnel(w.from(), w.to(), w.clock());
    }

    public Uni<List<Dashboard.TrendRow>> activity(Window w) {
        return dashboards.activity(w.from(), w.to(), dayZone);
    }

    public Uni<Dashboard.RepurchaseRow> repurchase(Window w) {
        return dashboards.repurchase(w.from(), w.to());
    }

    public Uni<List<Dashboard.BucketRow>> orderValues(Window w, double width) {
        return dashboards.orderValues(w.from(), w.to(), width);
    }

    public Uni<List<Dashboard.StoreRow>> stores(Window w) {
        return dashboards.stores(w.from(), w.to());
    }

    public Uni<List<Dashboard.RegionRow>> regions(Window w) {
        return dashboards.regions(w.from(), w.to(), StoreRegion.UNASSIGNED);
    }

    public Uni<List<Dashboard.SegmentSizeRow>> segmentHistory(Window w) {
        return dashboards.segmentHistory(w.from().atZone(dayZone).toLocalDate(), w.to().atZone(dayZone).toLocalDate());
    }
}
