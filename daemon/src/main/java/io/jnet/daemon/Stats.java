package io.jnet.daemon;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/** What {@code jnet daemon status} reports: uptime, requests and latency per command, in-flight requests. */
final class Stats {

    /** Percentiles come from the last {@value} calls of each command. */
    static final int WINDOW = 4096;

    private final long startNanos = System.nanoTime();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong direct = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final Map<String, Command> commands = new TreeMap<>();
    private volatile LongSupplier heals = () -> 0;

    private static final class Command {
        long count;
        final long[] micros = new long[WINDOW];
    }

    void started() {
        inFlight.incrementAndGet();
    }

    void finished(String command, long nanos) {
        inFlight.decrementAndGet();
        synchronized (commands) {
            Command c = commands.computeIfAbsent(command, k -> new Command());
            c.micros[(int) (c.count++ % WINDOW)] = nanos / 1000;
        }
    }

    int inFlight() {
        return inFlight.get();
    }

    void direct() {
        direct.incrementAndGet();
    }

    void refused() {
        refused.incrementAndGet();
    }

    /** Where the count of firewall heals comes from. */
    void heals(LongSupplier source) {
        heals = source;
    }

    void malformed() {
        malformed.incrementAndGet();
    }

    /** The status document; milliseconds with three decimals. */
    Map<String, Object> snapshot() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("protocol", Wire.VERSION);
        s.put("uptimeSeconds", (System.nanoTime() - startNanos) / 1_000_000_000L);
        s.put("inFlight", inFlight.get());
        s.put("heals", heals.getAsLong());
        s.put("sentDirect", direct.get());
        s.put("refused", refused.get());
        s.put("malformed", malformed.get());
        Map<String, Object> per = new LinkedHashMap<>();
        synchronized (commands) {
            commands.forEach((name, c) -> {
                long[] window = Arrays.copyOf(c.micros, (int) Math.min(c.count, WINDOW));
                Arrays.sort(window);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("requests", c.count);
                m.put("p50Ms", percentile(window, 50));
                m.put("p99Ms", percentile(window, 99));
                per.put(name, m);
            });
        }
        s.put("commands", per);
        return s;
    }

    private static double percentile(long[] sorted, int p) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, index)] / 1000.0;
    }
}
