package io.jnet.cli.reliability;

import io.jnet.cni.Json;
import io.jnet.ipam.Ipam;
import io.jnet.ipam.Lease;
import io.jnet.ipam.LeasedIp;
import io.jnet.kernel.sys.ErrnoException;
import io.jnet.kernel.sys.Sys;
import io.jnet.kernel.testing.Sandbox;
import io.jnet.kernel.testing.SandboxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code kill -9} at random points of ADD, DEL and GC of jnet-bridge and of {@code jnet create} and {@code jnet rm},
 * eight at a time, in direct mode. After every round of kills: the stores parse, the addresses in the containers'
 * namespaces are unique and each is its container's lease; after the DEL (or GC, or {@code jnet rm -f} and
 * {@code jnet gc}) that follows, no veth, no map element, no lease and no record is left. The short form (mvn verify)
 * kills a few dozen times; {@code -Djnet.soak=long} at least 200 times.
 */
@ExtendWith(SandboxExtension.class)
class FaultInjectionIT {

    private static final int WORKERS = 8;
    private static final String NET = "fi";
    private static final String SUBNET = "10.233.95.0/24";

    private final AtomicInteger delivered = new AtomicInteger();
    private final AtomicInteger late = new AtomicInteger();
    private Rig rig;

    private static String conf(int hostPort) {
        return Rig.bridgeConf(NET, "jtfi0", SUBNET,
                ",\"runtimeConfig\":{\"portMappings\":[" + Rig.port("tcp", hostPort, 80) + "]}");
    }

    /** Kills the call at a random point up to {@code maxMillis}; counts whether it was still running. */
    private void killAtRandom(Process p, int maxMillis) throws InterruptedException {
        Thread.sleep(ThreadLocalRandom.current().nextInt(maxMillis));
        p.destroyForcibly();
        int exit = p.waitFor();
        (exit == 137 ? delivered : late).incrementAndGet();
    }

    private <T> List<T> parallel(int n, IntTask<T> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int worker = i;
                futures.add(pool.submit((Callable<T>) () -> task.run(worker)));
            }
            List<T> out = new ArrayList<>();
            for (Future<T> f : futures) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    @FunctionalInterface
    interface IntTask<T> {
        T run(int worker) throws Exception;
    }

    @Test
    void killNineAnywhereLeavesAConsistentStoreAndDelOrGcLeavesNothing(Sandbox sandbox) throws Exception {
        int rounds = Rig.LONG ? 16 : 2;
        int gcRounds = Rig.LONG ? 5 : 1;
        int cliRounds = Rig.LONG ? 6 : 1;
        try (Rig r = new Rig(sandbox)) {
            rig = r;
            for (int round = 0; round < rounds; round++) {
                boolean killAdd = round % 2 == 0;
                int base = round;
                List<Sandbox.Ns> namespaces = parallel(WORKERS, w -> sandbox.namespace("fi"));
                parallel(WORKERS, w -> {
                    String id = "k" + base + "w" + w;
                    String ns = namespaces.get(w).path();
                    if (killAdd) {
                        killAtRandom(rig.start("jnet-bridge", rig.env("ADD", id, ns, "eth0"), conf(20000 + w)), 1500);
                    } else {
                        Rig.Call add = rig.cni("jnet-bridge", rig.env("ADD", id, ns, "eth0"), conf(20000 + w));
                        assertEquals(0, add.exit(), add.stdout() + add.stderr());
                        killAtRandom(rig.start("jnet-bridge", rig.env("DEL", id, ns, "eth0"), conf(20000 + w)), 900);
                    }
                    return null;
                });
                assertConsistent(namespaces, "k" + base + "w");
                parallel(WORKERS, w -> {
                    Rig.Call del = rig.cni("jnet-bridge", rig.env("DEL", "k" + base + "w" + w,
                            namespaces.get(w).path(), "eth0"), conf(20000 + w));
                    assertEquals(0, del.exit(), del.stdout() + del.stderr());
                    return null;
                });
                assertNothingLeft("after round " + round + " and its DELs");
            }
            for (int round = 0; round < gcRounds; round++) {
                int base = round;
                List<Sandbox.Ns> namespaces = parallel(WORKERS, w -> sandbox.namespace("gc"));
                parallel(WORKERS, w -> {
                    Rig.Call add = rig.cni("jnet-bridge", rig.env("ADD", "g" + base + "w" + w,
                            namespaces.get(w).path(), "eth0"), conf(21000 + w));
                    assertEquals(0, add.exit(), add.stdout() + add.stderr());
                    return null;
                });
                String gc = Rig.bridgeConf(NET, "jtfi0", SUBNET, ",\"cni.dev/valid-attachments\":[]");
                parallel(WORKERS, w -> {
                    killAtRandom(rig.start("jnet-bridge", rig.env("GC", null, null, null), gc), 1500);
                    return null;
                });
                assertConsistent(namespaces, "g" + base + "w");
                Rig.Call finish = rig.cni("jnet-bridge", rig.env("GC", null, null, null), gc);
                assertEquals(0, finish.exit(), finish.stdout() + finish.stderr());
                assertNothingLeft("after GC round " + round);
            }
            killCliCommands(cliRounds);
            System.out.println("fault injection: " + delivered.get() + " kills of running calls, " + late.get()
                    + " after the call had finished");
            assertTrue(delivered.get() >= (Rig.LONG ? 200 : 16), delivered.get() + " kills landed");
        }
    }

    /** The stores parse; every address in a container's namespace is unique and is that container's lease. */
    private void assertConsistent(List<Sandbox.Ns> namespaces, String idPrefix) throws Exception {
        assertRecordsParse(rig.root.resolve("bridge"));
        Ipam ipam = Ipam.open(rig.root);
        List<Lease> leases = ipam.leases(NET);            // parses every owner record
        Map<String, String> holders = new HashMap<>();
        for (Lease lease : leases) {
            for (LeasedIp ip : lease.ips()) {
                String previous = holders.put(ip.address().getHostAddress(), lease.owner().toString());
                assertTrue(previous == null, ip.address() + " leased twice: " + previous + ", " + lease.owner());
            }
        }
        Map<String, String> seen = new HashMap<>();
        for (int w = 0; w < namespaces.size(); w++) {
            String out = rig.sandbox.in(namespaces.get(w), "ip", "-j", "-4", "addr", "show").ok().stdout();
            for (Object link : Json.asArray(Json.parse(out), "ip")) {
                for (Object info : Json.asArray(Json.asObject(link, "link").get("addr_info"), "addr_info")) {
                    String address = (String) Json.asObject(info, "a").get("local");
                    if (address.startsWith("127.")) {
                        continue;
                    }
                    String previous = seen.put(address, namespaces.get(w).name());
                    assertTrue(previous == null, address + " is in two containers: " + previous + ", "
                            + namespaces.get(w).name());
                    Optional<Lease> lease = ipam.lease(NET, idPrefix + w, "eth0");
                    assertTrue(lease.isPresent() && lease.get().ips().stream()
                            .anyMatch(ip -> ip.address().getHostAddress().equals(address)),
                            address + " in " + idPrefix + w + "'s namespace is not its lease: " + lease);
                }
            }
        }
    }

    private static void assertRecordsParse(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).toList()) {
                if (!f.getFileName().toString().startsWith(".tmp-")) {
                    Json.parseObject(Files.readAllBytes(f));
                }
            }
        }
    }

    private void assertNothingLeft(String when) throws Exception {
        assertEquals(List.of(), rig.links("jv"), "veths " + when);
        assertTrue(!rig.elements().contains("10.233.95.") && !rig.elements().contains("172.17."),
                "map elements " + when + ": " + rig.elements());
        assertEquals(List.of(), Ipam.open(rig.root).leases(NET), "leases " + when);
        assertEquals(List.of(), Ipam.open(rig.root).leases("bridge"), "the CLI's leases " + when);
        try (Stream<Path> files = Files.exists(rig.root.resolve("bridge")) ? Files.walk(rig.root.resolve("bridge"))
                : Stream.empty()) {
            assertEquals(List.of(), files.filter(p -> p.toString().endsWith(".json")).map(Path::toString).toList(),
                    "records " + when);
        }
    }

    // ---- jnet create and rm ------------------------------------------------------------------------------------

    private void killCliCommands(int rounds) throws Exception {
        Path runDir = rig.root.resolve("run");
        try {
            for (int round = 0; round < rounds; round++) {
                for (boolean killCreate : new boolean[] {true, false}) {
                    int base = round;
                    parallel(WORKERS, w -> {
                        String name = "c" + base + "w" + w + (killCreate ? "a" : "b");
                        String[] create = {"create", "--name", name, "-p", (22000 + w) + ":80"};
                        if (killCreate) {
                            killAtRandom(startCli(runDir, create), 2500);
                        } else {
                            Sandbox.Run made = cli(runDir, create);
                            assertEquals(0, made.exit(), made.stdout() + made.stderr());
                            killAtRandom(startCli(runDir, "rm", name), 1500);
                        }
                        return null;
                    });
                    assertRecordsParse(rig.root.resolve("containers"));
                    assertRecordsParse(rig.root.resolve("bridge"));
                    Ipam.open(rig.root).leases("bridge");
                    parallel(WORKERS, w -> {
                        String name = "c" + base + "w" + w + (killCreate ? "a" : "b");
                        Sandbox.Run rm = cli(runDir, "rm", "-f", name);
                        assertTrue(rm.exit() == 0 || rm.stderr().contains("no such container"),
                                rm.stdout() + rm.stderr());
                        return null;
                    });
                    Sandbox.Run gc = cli(runDir, "gc");
                    assertEquals(0, gc.exit(), gc.stdout() + gc.stderr());
                    Sandbox.Run ls = cli(runDir, "ls", "--format", "json");
                    assertEquals(0, ls.exit(), ls.stderr());
                    assertEquals(List.of(), Json.asArray(Json.parse(ls.stdout()), "ls"), "containers: " + ls.stdout());
                    assertNothingLeft("after jnet rm -f and jnet gc, round " + round);
                    Path netnsDir = runDir.resolve("netns");
                    assertEquals(List.of(), mounts(netnsDir).stream().filter(m -> !m.equals(netnsDir.toString()))
                            .toList(), "namespace mounts (the shared run directory itself stays, as /run/netns does)");
                }
            }
        } finally {
            for (String mount : mounts(runDir)) {
                try {
                    Sys.unmount(mount, Sys.MNT_DETACH);
                } catch (ErrnoException e) {
                    // went with the one above it
                }
            }
        }
    }

    private Map<String, String> cliEnv(Path runDir) {
        return Map.of("JNET_ROOT", rig.root.toString(), "JNET_RUN_DIR", runDir.toString());
    }

    private String[] cliCommand(String... args) {
        List<String> command = new ArrayList<>(List.of("nsenter", "--net=" + rig.host.path(),
                Rig.bin("jnet").toString()));
        command.addAll(List.of(args));
        return command.toArray(new String[0]);
    }

    private Sandbox.Run cli(Path runDir, String... args) {
        return Sandbox.run(cliEnv(runDir), null, cliCommand(args));
    }

    private Process startCli(Path runDir, String... args) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cliCommand(args));
        pb.environment().putAll(cliEnv(runDir));
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
        return pb.start();
    }

    /** Mount points under {@code dir}, deepest first. */
    private static List<String> mounts(Path dir) throws IOException {
        String prefix = dir + "/";
        List<String> out = new ArrayList<>(Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .map(l -> l.split(" ")[4]).filter(m -> m.startsWith(prefix) || m.equals(dir.toString())).toList());
        out.sort(Comparator.reverseOrder());
        return Collections.unmodifiableList(out);
    }
}
