package io.jnet.ipam.bench;

import io.jnet.ipam.Durability;
import io.jnet.ipam.Ipam;
import io.jnet.ipam.IpamConfig;
import io.jnet.ipam.IpamException;
import io.jnet.ipam.Lease;
import io.jnet.ipam.Subnet;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * In-process allocate and release in a /16 (65,533 addresses to hand out) held at 1%, 50% and 99% occupancy,
 * including the store's file I/O, with and without fsync. Each measured allocation is preceded (untimed) by the
 * release of a random holder and each measured release by an allocation, so occupancy stays put and the free
 * addresses end up scattered, as churn leaves them.
 *
 * <p>The filled stores are kept under {@code -Djnet.bench.dir} (default target/bench-stores) and reused by later
 * trials: filling a /16 to 99% takes a while. Run: {@code mvn -pl ipam -am -Pjmh test -DskipTests}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 4)
public class AllocationBenchmark {

    static final int HOSTS = 65_533;     // a /16 without network, broadcast and gateway
    static final String NETWORK = "bench";

    @Param({"1", "50", "99"})
    public int occupancyPercent;

    @Param({"FSYNC", "NO_FSYNC"})
    public Durability durability;

    private Ipam ipam;
    private IpamConfig config;
    private final List<String> held = new ArrayList<>();
    private final SplittableRandom random = new SplittableRandom(7);
    private String prefix;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Path root = Path.of(System.getProperty("jnet.bench.dir", "target/bench-stores"))
                .resolve("occupancy-" + occupancyPercent).toAbsolutePath();
        Files.createDirectories(root);
        config = IpamConfig.of(Subnet.parse("10.128.0.0/16"));
        ipam = Ipam.open(root, durability);
        for (Lease lease : ipam.leases(NETWORK)) {
            held.add(lease.owner().containerId());
        }
        int target = (int) ((long) HOSTS * occupancyPercent / 100);
        Ipam filler = Ipam.open(root, Durability.NO_FSYNC);
        prefix = "t" + System.nanoTime() + "-";
        while (held.size() < target) {
            String id = prefix + next++;
            filler.allocate(NETWORK, config, id, "eth0", List.of());
            held.add(id);
        }
    }

    @State(Scope.Thread)
    public static class ReleasedOne {
        @Setup(Level.Invocation)
        public void releaseOne(AllocationBenchmark b) throws IpamException {
            b.releaseRandom();
        }
    }

    @State(Scope.Thread)
    public static class AllocatedOne {
        @Setup(Level.Invocation)
        public void allocateOne(AllocationBenchmark b) throws IpamException {
            b.allocateNew();
        }
    }

    @Benchmark
    public Lease allocate(ReleasedOne freed) throws IpamException {
        return allocateNew();
    }

    @Benchmark
    public boolean release(AllocatedOne added) throws IpamException {
        return releaseRandom();
    }

    Lease allocateNew() throws IpamException {
        String id = prefix + next++;
        Lease lease = ipam.allocate(NETWORK, config, id, "eth0", List.of());
        held.add(id);
        return lease;
    }

    boolean releaseRandom() throws IpamException {
        int i = random.nextInt(held.size());
        String id = held.get(i);
        held.set(i, held.get(held.size() - 1));
        held.remove(held.size() - 1);
        return ipam.release(NETWORK, id, "eth0");
    }
}
