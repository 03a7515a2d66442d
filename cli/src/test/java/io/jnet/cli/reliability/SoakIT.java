package io.jnet.cli.reliability;

import io.jnet.bridge.BridgePlugin;
import io.jnet.cni.PluginMain;
import io.jnet.ipam.Ipam;
import io.jnet.kernel.netns.NetNs;
import io.jnet.kernel.testing.Sandbox;
import io.jnet.kernel.testing.SandboxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ADD/DEL cycles on one network with published ports (TCP and UDP), four at a time, through the plugin's dispatcher
 * in a sandbox host, as the daemon would run it warm: every 20th cycle a datagram from the outside reaches the
 * published UDP port, so that DEL has a conntrack entry to delete. At the end nothing is left: no lease, record, veth,
 * map element or conntrack entry of the network. It prints the time per cycle at the start and at the end, the store's
 * size and the kernel's object counts. Short form: 240 cycles; {@code -Djnet.soak=long}: 10,000.
 */
@ExtendWith(SandboxExtension.class)
class SoakIT {

    private static final int THREADS = 4;
    private static final String SUBNET = "10.233.98.0/24";

    private static String conf(int worker) {
        return Rig.bridgeConf("soak", "jtsoak0", SUBNET, ",\"runtimeConfig\":{\"portMappings\":["
                + Rig.port("tcp", 24000 + worker, 80) + "," + Rig.port("udp", 24100 + worker, 53) + "]}");
    }

    /** One call through PluginMain on the calling thread (which is in the host namespace); its exit code. */
    private static int call(Map<String, String> env, String conf, ByteArrayOutputStream out) {
        out.reset();
        return PluginMain.run(new BridgePlugin(env), "jnet-bridge", env,
                new ByteArrayInputStream(conf.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()));
    }

    @Test
    void addAndDelCyclesLeaveNothingBehind(Sandbox sandbox) throws Exception {
        int perThread = Rig.LONG ? 2500 : 60;
        try (Rig rig = new Rig(sandbox); NetNs host = NetNs.open(rig.host.path());
             NetNs outside = NetNs.open(rig.outside.path()); DatagramChannel udp = outside.call(DatagramChannel::open)) {
            List<Sandbox.Ns> containers = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                containers.add(sandbox.namespace("soak"));
            }
            long fdsBefore = openFds();
            long[][] nanos = new long[THREADS][perThread];
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try {
                List<Future<Void>> futures = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    int worker = t;
                    futures.add(pool.submit(() -> host.call(() -> {
                        ByteArrayOutputStream out = new ByteArrayOutputStream();
                        for (int i = 0; i < perThread; i++) {
                            Map<String, String> env = new HashMap<>(rig.env("ADD", "s" + worker + "-" + i,
                                    containers.get(worker).path(), "eth0"));
                            long start = System.nanoTime();
                            assertEquals(0, call(env, conf(worker), out), out.toString(StandardCharsets.UTF_8));
                            if (i % 20 == 0) {
                                udp.send(ByteBuffer.wrap(new byte[] {1}),
                                        new InetSocketAddress("198.18.0.1", 24100 + worker));
                                if (i == 0 && worker == 0) {
                                    assertTrue(udpEntries(rig, 24100) > 0, "the datagram made a conntrack entry");
                                }
                            }
                            env.put("CNI_COMMAND", "DEL");
                            assertEquals(0, call(env, conf(worker), out), out.toString(StandardCharsets.UTF_8));
                            nanos[worker][i] = System.nanoTime() - start;
                        }
                        return null;
                    })));
                }
                for (Future<Void> f : futures) {
                    f.get();
                }
            } finally {
                pool.shutdownNow();
            }
            int window = Math.min(50, perThread);
            String conntrack = rig.sandbox.in(rig.host, "conntrack", "-L").stdout();
            System.out.printf("soak: %d ADD/DEL cycles at %d-way; ms per cycle: first %d %.1f, last %d %.1f; "
                            + "store %d files, %d bytes; host links %d, nft elements %d, conntrack entries %d; "
                            + "test JVM fds %d -> %d%n",
                    THREADS * perThread, THREADS, window, mean(nanos, 0, window), window,
                    mean(nanos, perThread - window, perThread), count(rig.root, false), count(rig.root, true),
                    rig.links("").size(), rig.elementCount(), conntrack.lines().count(),
                    fdsBefore, openFds());

            assertEquals(List.of(), Ipam.open(rig.root).leases("soak"), "leases");
            try (Stream<Path> records = Files.walk(rig.root.resolve("bridge"))) {
                assertEquals(List.of(), records.filter(p -> p.toString().endsWith(".json")).toList(), "records");
            }
            assertEquals(List.of(), rig.links("jv"), "veths");
            assertTrue(!rig.elements().contains("10.233.98."), "map elements: " + rig.elements());
            // the bridge's own traffic (the gateway's IGMP reports) is not a container's
            assertTrue(conntrack.lines().noneMatch(l -> l.matches(".*10\\.233\\.98\\.([2-9]|\\d\\d+)\\b.*")
                    || l.contains("dport=241")), "conntrack entries of the network's containers:\n" + conntrack);
        }
    }

    /** Conntrack's UDP entries whose original destination port is {@code port}, waiting up to a second for one. */
    private static long udpEntries(Rig rig, int port) throws InterruptedException {
        long n = 0;
        for (int i = 0; i < 20 && n == 0; i++) {
            n = rig.sandbox.in(rig.host, "conntrack", "-L", "-p", "udp", "--orig-port-dst", String.valueOf(port))
                    .stdout().lines().filter(l -> l.startsWith("udp")).count();
            Thread.sleep(n == 0 ? 50 : 0);
        }
        return n;
    }

    private static double mean(long[][] nanos, int from, int to) {
        long sum = 0;
        int n = 0;
        for (long[] row : nanos) {
            for (int i = from; i < to; i++) {
                sum += row[i];
                n++;
            }
        }
        return sum / 1e6 / n;
    }

    private static long count(Path root, boolean bytes) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return bytes ? Files.size(p) : 1;
                } catch (IOException gone) {
                    return 0;
                }
            }).sum();
        }
    }

    private static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
