package io.memberpulse.rfm.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.memberpulse.rfm.RfmConfig;
import io.memberpulse.rfm.domain.Rfm;
import io.memberpulse.rfm.domain.RfmSnapshot;
import io.memberpulse.proto.redis.RedisBackoff;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.value.ReactiveValueCommands;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Hot reads of each member's current RFM and segments; PostgreSQL stays the truth. Each entry carries its row's
 * version (member_rfm.updated_at, in microseconds): several replicas write Redis, each in its own order, and a write
 * delayed behind its output (retried for minutes) must not replace a newer row, nor bring back a member removed since.
 * So a row is written only over an older one (a Lua compare-and-set, one script per chunk of rows), and a removal
 * leaves a tombstone of its version for {@link #TOMBSTONE_TTL}, well beyond any output's lag, which older rows
 * cannot pass; reads see only rows (a member whose row is removed is absent). Every call goes through one back-off
 * (proto.redis.RedisBackoff): after a failure Redis is skipped for memberpulse.rfm.redis-backoff (by reads after a read's,
 * by reads and writes after a write's), and a read gives up after memberpulse.rfm.redis-read-timeout, so a Redis down
 * or hanging costs reads no wait.
 */
@ApplicationScoped
public class RfmCache {
    private static final int MSET_CHUNK = 5_000;
    /** How long a removal keeps older rows out: far beyond an output's retries (RecordBatches.retried: 5 minutes). */
    public static final java.time.Duration TOMBSTONE_TTL = java.time.Duration.ofHours(1);
    /**
     * The version of what a row key or tombstone key holds: 0 for none (or an entry of an unversioned release). Only the
     * start of a row is read ({"v":<16 digits>), not the whole row.
     */
    private static final String VERSION_OF = """
            local function versionOf(row, tombstone)
              local version = 0
              local cached = redis.call('GETRANGE', row, 0, 31)
              if cached ~= '' then
                version = tonumber(string.match(cached, '^{"v":(%d+)')) or 0
              end
              local gone = redis.call('GET', tombstone)
              if gone then
                version = math.max(version, tonumber(gone) or 0)
              end
              return version
            end
            """;
    /** KEYS: n row keys, then their n tombstone keys. ARGV: n versions, then n rows. Writes each row only over an older one. */
    private static final String PUT_IF_NEWER = VERSION_OF + """
            local n = #KEYS / 2
            local written = 0
            for i = 1, n do
              if tonumber(ARGV[i]) > versionOf(KEYS[i], KEYS[n + i]) then
                redis.call('SET', KEYS[i], ARGV[n + i])
                written = written + 1
              end
            end
            return written""";
    /**
     * KEYS: n row keys, then their n tombstone keys. ARGV: the tombstones' TTL in seconds, then n versions. Removes each
     * row older than its removal and leaves the removal's version (unless a newer one is there).
     */
    private static final String REMOVE_OLDER = VERSION_OF + """
            local n = #KEYS / 2
            for i = 1, n do
              local version = tonumber(ARGV[i + 1])
              if version > versionOf(KEYS[i], KEYS[n + i]) then
                redis.call('DEL', KEYS[i])
                redis.call('SET', KEYS[n + i], ARGV[i + 1], 'EX', ARGV[1])
              end
            end
            return 0""";
    private final ReactiveRedisDataSource redis;
    private final ReactiveValueCommands<String, String> values;
    private final ObjectMapper mapper;
    /** Lenient: an entry written by a newer version (a field more, in a rolling deploy) is still read. */
    private final ObjectReader reader;
    private final String prefix;
    /** Where a removal's version is kept (see TOMBSTONE_TTL). */
    private final String tombstonePrefix;
    /** The instant every member was last re-aged to (see StreamClockRepository.markAgedTo). */
    private final String agedToKey;
    private final RedisBackoff backoff;

    public RfmCache(ReactiveRedisDataSource redis, ObjectMapper mapper, RfmConfig config) {
        this.redis = redis;
        this.values = redis.value(String.class);
        this.mapper = mapper;
        this.reader = mapper.readerFor(Cached.class).without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        this.prefix = config.redis().keyPrefix() + "rfm:";
        this.tombstonePrefix = config.redis().keyPrefix() + "rfm-removed:";
        this.agedToKey = config.redis().keyPrefix() + "aged-to";
        this.backoff = new RedisBackoff(config.rfm().redisReadTimeout(), config.rfm().redisBackoff());
    }

    /** Written after each re-ageing pass: cached rows it left alone are read as of this instant. */
    public Uni<Void> markAgedTo(java.time.Instant clock) {
        return backoff.call(() -> values.set(agedToKey, clock.toString()));
    }

    /** Caches the rows as written (each with its version), each only over an older entry or removal. */
    public Uni<Void> putAll(List<MemberRowRepository.StoredRow> rows) {
        return backoff.call(() -> put(rows));
    }

    private Uni<Void> put(List<MemberRowRepository.StoredRow> rows) {
        if (rows.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        // Serialised here, on the caller's (worker) thread; only the scripts run on the event loop.
        List<String[]> chunks = new java.util.ArrayList<>();
        for (int from = 0; from < rows.size(); from += MSET_CHUNK) {
            List<MemberRowRepository.StoredRow> chunk = rows.subList(from, Math.min(rows.size(), from + MSET_CHUNK));
            int n = chunk.size();
            String[] arguments = new String[2 + 4 * n]; // EVAL script numkeys, n + n keys, n + n values
            arguments[0] = PUT_IF_NEWER;
            arguments[1] = Integer.toString(2 * n);
            for (int i = 0; i < n; i++) {
                MemberRowRepository.StoredRow row = chunk.get(i);
                String memberId = row.snapshot().rfm().memberId();
                long version = version(row.updatedAt());
                arguments[2 + i] = prefix + memberId;
                arguments[2 + n + i] = tombstonePrefix + memberId;
                arguments[2 + 2 * n + i] = Long.toString(version);
                arguments[2 + 3 * n + i] = write(version, row.snapshot());
            }
            chunks.add(arguments);
        }
        Uni<Void> done = Uni.createFrom().voidItem();
        for (String[] arguments : chunks) {
            done = done.chain(() -> redis.execute("EVAL", arguments).replaceWithVoid());
        }
        return done;
    }

    /**
     * Caches a row a read found missing here and read from PostgreSQL (after a flush or a failover): by the same
     * compare-and-set as a writer's, so a newer row cached meanwhile stays, and so does the tombstone of a merge or
     * split that removed the member after this read (the removal's version is after the row's). If Redis lost the
     * last re-ageing's instant too, it is put back as PostgreSQL has it, only where none is (a pass's newer one stays).
     * On the read's path, so bounded as a read is (the read timeout, skipped within a back-off).
     */
    public Uni<Void> putRead(MemberRowRepository.StoredRow row, java.time.Instant agedTo) {
        return backoff.read(() -> {
            Uni<Void> put = put(List.of(row));
            return agedTo == null ? put : put.chain(() -> values.setnx(agedToKey, agedTo.toString())).replaceWithVoid();
        });
    }

    /**
     * Removes these members (by member id, the version of the removal: after the version of any row it removes), each
     * only if its cached row is older, leaving a tombstone that keeps older rows out for TOMBSTONE_TTL.
     */
    public Uni<Void> removeAll(Map<String, java.time.Instant> removals) {
        if (removals.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int n = removals.size();
        String[] arguments = new String[3 + 3 * n]; // EVAL script numkeys, n + n keys, TTL and n versions
        arguments[0] = REMOVE_OLDER;
        arguments[1] = Integer.toString(2 * n);
        arguments[2 + 2 * n] = Long.toString(TOMBSTONE_TTL.toSeconds());
        int i = 0;
        for (Map.Entry<String, java.time.Instant> removal : removals.entrySet()) {
            arguments[2 + i] = prefix + removal.getKey();
            arguments[2 + n + i] = tombstonePrefix + removal.getKey();
            arguments[3 + 2 * n + i] = Long.toString(version(removal.getValue()));
            i++;
        }
        return backoff.call(() -> redis.execute("EVAL", arguments)).replaceWithVoid();
    }

    /**
     * Deletes these members' cached rows, whatever their version (no tombstone): the repair of rows Redis missed while
     * unreachable, whose members have no row left (RfmCacheWrites); a read then finds them absent, as PostgreSQL does.
     */
    public Uni<Void> forget(java.util.Collection<String> memberIds) {
        if (memberIds.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return backoff.call(() -> redis.key(String.class).del(memberIds.stream().map(id -> prefix + id).toArray(String[]::new)))
                .replaceWithVoid();
    }

    /**
     * Deletes erased members' row keys and tombstones, whatever their version: nothing under their ids stays in Redis.
     * Their rows are deleted in PostgreSQL first and no row of theirs is written again (MemberRowRepository), so no
     * tombstone is needed to keep one out.
     */
    public Uni<Void> erase(java.util.Collection<String> memberIds) {
        if (memberIds.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        String[] keys = memberIds.stream().flatMap(id -> java.util.stream.Stream.of(prefix + id, tombstonePrefix + id))
                .toArray(String[]::new);
        return backoff.call(() -> redis.key(String.class).del(keys)).replaceWithVoid();
    }

    /** A row's version as cached: microseconds since the epoch (exact in Lua's doubles until the year 2255). */
    static long version(java.time.Instant updatedAt) {
        return java.util.concurrent.TimeUnit.SECONDS.toMicros(updatedAt.getEpochSecond()) + updatedAt.getNano() / 1_000;
    }

    /** A read: fails after the read timeout, and at once within the back-off. */
    public Uni<Optional<RfmSnapshot>> get(String memberId) {
        return backoff.read(() -> values.mget(prefix + memberId, agedToKey)).map(found -> {
            RfmSnapshot cached = Optional.ofNullable(found.get(prefix + memberId)).map(this::read).orElse(null);
            String agedTo = found.get(agedToKey);
            if (cached == null || agedTo == null) {
                return Optional.ofNullable(cached);
            }
            return Optional.of(new RfmSnapshot(cached.rfm().agedTo(java.time.Instant.parse(agedTo)), cached.segments()));
        });
    }

    /** The version first: the scripts read it from the start of the entry ({"v":…). */
    @com.fasterxml.jackson.annotation.JsonPropertyOrder({"v", "rfm", "segments"})
    private record Cached(long v, Rfm rfm, List<String> segments) {
    }

    private String write(long version, RfmSnapshot row) {
        try {
            return mapper.writeValueAsString(new Cached(version, row.rfm(), List.copyOf(row.segments())));
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
