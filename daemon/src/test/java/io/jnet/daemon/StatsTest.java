package io.jnet.daemon;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class StatsTest {

    @Test
    void percentilesPerCommandAndInFlight() {
        Stats stats = new Stats();
        for (int ms = 1; ms <= 100; ms++) {
            stats.started();
            stats.finished("ADD", ms * 1_000_000L);
        }
        stats.started();
        Map<String, Object> s = stats.snapshot();
        assertEquals(1, s.get("inFlight"));
        assertEquals(0L, s.get("heals"));
        stats.heals(() -> 3);
        assertEquals(3L, stats.snapshot().get("heals"), "the healer's count");
        @SuppressWarnings("unchecked")
        Map<String, Object> add = ((Map<String, Map<String, Object>>) s.get("commands")).get("ADD");
        assertEquals(100L, add.get("requests"));
        assertEquals(50.0, add.get("p50Ms"));
        assertEquals(99.0, add.get("p99Ms"));
    }
}
