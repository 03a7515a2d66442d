package io.jnet.kernel.rtnl;

import io.jnet.kernel.netns.NetNs;
import io.jnet.kernel.testing.Sandbox;
import io.jnet.kernel.testing.SandboxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import static io.jnet.kernel.rtnl.RtnlGoldenTest.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The kernel work of a bridge ADD (veth into the container netns, master, up on both ends, an address, a default
 * route), done in-process with {@link Rtnetlink} and done with {@code ip} commands, interleaved in the same run and
 * in the same sandbox. Not part of the build (its name is not a test pattern); run it with
 * {@code mvn -pl kernel test -Dtest=BridgeAddBenchmark -Dsurefire.failIfNoSpecifiedTests=false [-Djnet.bench.n=50]}.
 * It prints the medians and p90s and writes them to target/bridge-add-benchmark.txt.
 */
@ExtendWith(SandboxExtension.class)
class BridgeAddBenchmark {

    private static final int WARMUP = 5;

    @Test
    void javaVersusIp(Sandbox sandbox) throws Exception {
        int n = Integer.getInteger("jnet.bench.n", 50);
        Sandbox.Ns hostNs = sandbox.namespace("bench-host");
        InetAddress gateway = ip("10.233.9.1");
        List<Long> java = new ArrayList<>();
        List<Long> iproute = new ArrayList<>();
        try (NetNs host = NetNs.open(hostNs.path()); Rtnetlink h = Rtnetlink.openIn(host)) {
            h.createLink(LinkSpec.bridge("jt-br0"));
            int bridge = h.link("jt-br0").orElseThrow().index();
            h.addAddress(Address.of(bridge, gateway, 24));
            h.setUp(bridge, true);

            int address = 2;
            for (int i = 0; i < WARMUP + n; i++) {
                Sandbox.Ns forJava = sandbox.namespace("bench-j");
                Sandbox.Ns forIp = sandbox.namespace("bench-i");
                long t0 = System.nanoTime();
                addWithRtnetlink(h, bridge, forJava, "vj" + i, ip("10.233.9." + address++), gateway);
                long t1 = System.nanoTime();
                addWithIp(hostNs, forIp, "vi" + i, "10.233.9." + address++);
                long t2 = System.nanoTime();
                if (i >= WARMUP) {
                    java.add(t1 - t0);
                    iproute.add(t2 - t1);
                }
            }
            // both ways built the same thing
            assertEquals(2 * (WARMUP + n), h.links().stream().filter(l -> l.master() == bridge).count());
        }
        String report = String.format(Locale.ROOT,
                "bridge ADD kernel sequence, %d runs each (after %d warm-up), interleaved:%n"
                        + "  in-process rtnetlink: %s%n  ip commands (6 execs): %s%n",
                n, WARMUP, summary(java), summary(iproute));
        System.out.print(report);
        Files.writeString(Path.of("target", "bridge-add-benchmark.txt"), report);
    }

    /** What the bridge driver does: no thread of ours switches namespace except to open the container socket. */
    private static void addWithRtnetlink(Rtnetlink h, int bridge, Sandbox.Ns containerNs, String hostName,
                                         InetAddress address, InetAddress gateway) throws Exception {
        try (NetNs container = NetNs.open(containerNs.path())) {
            h.createLink(LinkSpec.veth(hostName, "eth0").withPeerNetns(container));
            int hostEnd = h.link(hostName).orElseThrow().index();
            h.setMaster(hostEnd, bridge);
            h.setUp(hostEnd, true);
            try (Rtnetlink c = Rtnetlink.openIn(container)) {
                int eth0 = c.link("eth0").orElseThrow().index();
                c.setUp(eth0, true);
                c.addAddress(Address.of(eth0, address, 24));
                c.addRoute(Route.defaultVia(gateway, eth0));
            }
        }
    }

    private static void addWithIp(Sandbox.Ns hostNs, Sandbox.Ns containerNs, String hostName, String address) {
        Sandbox.run("ip", "-n", hostNs.name(), "link", "add", hostName, "type", "veth", "peer", "name", "eth0",
                "netns", containerNs.name()).ok();
        Sandbox.run("ip", "-n", hostNs.name(), "link", "set", hostName, "master", "jt-br0").ok();
        Sandbox.run("ip", "-n", hostNs.name(), "link", "set", hostName, "up").ok();
        Sandbox.run("ip", "-n", containerNs.name(), "link", "set", "eth0", "up").ok();
        Sandbox.run("ip", "-n", containerNs.name(), "addr", "add", address + "/24", "dev", "eth0").ok();
        Sandbox.run("ip", "-n", containerNs.name(), "route", "add", "default", "via", "10.233.9.1").ok();
    }

    private static String summary(List<Long> nanos) {
        long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        return String.format(Locale.ROOT, "median %.2f ms, p90 %.2f ms, min %.2f ms, max %.2f ms, mean %.2f ms",
                ms(percentile(sorted, 50)), ms(percentile(sorted, 90)), ms(sorted[0]), ms(sorted[sorted.length - 1]),
                ms((long) Arrays.stream(sorted).average().orElse(0)));
    }

    /** Nearest-rank percentile. */
    private static long percentile(long[] sorted, int p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
