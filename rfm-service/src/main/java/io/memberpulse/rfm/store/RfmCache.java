package io.memberpulse.rfm.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.memberpulse.rfm.RfmConfig;
import io.memberpulse.rfm.domain.Rfm;
import io.memberpulse.rfm.domain.RfmSnapshot;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.value.ReactiveValueCommands;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Hot reads of each member's current RFM and segments; PostgreSQL stays the truth. */
@ApplicationScoped
public class RfmCache {
    private static final int MSET_CHUNK = 5_000;
    private final ReactiveValueCommands<String, String> values;
    private final io.quarkus.redis.datasource.keys.ReactiveKeyCommands<String> keys;
    private final ObjectMapper mapper;
    /** Lenient: an entry written by a newer version (a field more, in a rolling deploy) is still read. */
    private final ObjectReader reader;
    private final String prefix;
    /** The instant every member was last re-aged to (see RfmRepository.markAgedTo). */
    private final String agedToKey;

    public RfmCache(ReactiveRedisDataSource redis, ObjectMapper mapper, RfmConfig config) {
        this.values = redis.value(String.class);
        this.keys = redis.key();
        this.mapper = mapper;
        this.reader = mapper.readerFor(Cached.class).without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        this.prefix = config.redis().keyPrefix() + "rfm:";
        this.agedToKey = config.redis().keyPrefix() + "aged-to";
    }

    /** Written after each re-ageing pass: cached rows it left alone are read as of this instant. */
    public Uni<Void> markAgedTo(java.time.Instant clock) {
        return values.set(agedToKey, clock.toString());
    }

    public Uni<Void> putAll(List<RfmSnapshot> rows) {
        if (rows.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        // Serialised here, on the caller's (worker) thread; only the MSETs run on the event loop.
        List<Map<String, String>> chunks = new java.util.ArrayList<>();
        for (int from = 0; from < rows.size(); from += MSET_CHUNK) {
            Map<String, String> entries = new HashMap<>();
            for (RfmSnapshot row : rows.subList(from, Math.min(rows.size(), from + MSET_CHUNK))) {
                entries.put(prefix + row.rfm().memberId(), write(row));
            }
            chunks.add(entries);
        }
        Uni<Void> done = Uni.createFrom().voidItem();
        for (Map<String, String> entries : chunks) {
            done = done.chain(() -> values.mset(entries));
        }
        return done;
    }

    public Uni<Void> removeAll(java.util.Collection<String> memberIds) {
        if (memberIds.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return keys.del(memberIds.stream().map(id -> prefix + id).toArray(String[]::new)).replaceWithVoid();
    }

    public Uni<Optional<RfmSnapshot>> get(String memberId) {
        return values.mget(prefix + memberId, agedToKey).map(found -> {
            RfmSnapshot cached = Optional.ofNullable(found.get(prefix + memberId)).map(this::read).orElse(null);
            String agedTo = found.get(agedToKey);
            if (cached == null || agedTo == null) {
                return Optional.ofNullable(cached);
            }
            return Optional.of(new RfmSnapshot(cached.rfm().agedTo(java.time.Instant.parse(agedTo)), cached.segments()));
        });
    }

    private record Cached(Rfm rfm, List<String> segments) {
    }

    private String write(RfmSnapshot row) {
        try {
            return mapper.writeValueAsString(new Cached(row.rfm(), List.copyOf(row.segments())));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("RFM not serialisable", e);
        }
    }

    private RfmSnapshot read(String json) {
        try {
            Cached cached = reader.readValue(json);
            return new RfmSnapshot(cached.rfm(), new java.util.LinkedHashSet<>(cached.segments()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cached RFM unreadable", e);
        }
    }
}
