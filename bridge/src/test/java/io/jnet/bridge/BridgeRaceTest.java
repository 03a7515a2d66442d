package io.jnet.bridge;

import io.jnet.cni.CniCommand;
import io.jnet.cni.CniException;
import io.jnet.cni.IpPrefix;
import io.jnet.cni.Result;
import io.jnet.ipam.Ipam;
import io.jnet.kernel.fs.DurableFiles;
import io.jnet.kernel.testing.Sandbox;
import io.jnet.kernel.testing.SandboxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The races and silent failures the review found in the bridge driver, each forced into the order that used to go
 * wrong. Everything runs in the driver's own code, in-process, in throwaway namespaces.
 */
@ExtendWith(SandboxExtension.class)
class BridgeRaceTest {

    @TempDir
    Path root;

    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final String bridge = "jtb" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(2);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void aFailedAddKeepsTheBridgeThatAnotherAddIsAboutToJoin(Sandbox sandbox) throws Exception {
        Sandbox.Ns host = sandbox.namespace("host");
        Sandbox.Ns c1 = sandbox.namespace("c1");
        Sandbox.Ns c2 = sandbox.namespace("c2");
        Map<String, Object> conf = Calls.conf("race", bridge, "10.251.7.0/24", root);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        BridgePlugin failing = new BridgePlugin(root, () -> new RefusingFirewall(entered, release));

        Future<Object> first = pool.submit(() -> Calls.in(host.path(),
                () -> failing.add(Calls.request(CniCommand.ADD, conf, "c1", c1.path()))));
        assertTrue(entered.await(30, TimeUnit.SECONDS), "the first ADD never reached its firewall");
        // the second ADD has done what an ADD does first, record itself, and is about to join the bridge
        EndpointStore store = new EndpointStore(root);
        try (DurableFiles.Lock lock = store.lock("race")) {
            store.save(new Endpoint("race", "c2", "eth0", c2.path(), bridge,
                    BridgePlugin.hostVethName("race", "c2", "eth0"), "", List.of(), List.of(), null));
        }
        release.countDown();
        assertInstanceOf(CniException.class, first.get(30, TimeUnit.SECONDS), "the first ADD was meant to fail");

        assertEquals(0, sandbox.in(host, "ip", "link", "show", "dev", bridge).exit(),
                "the failed ADD deleted the bridge that the second ADD is joining");
        Object second = Calls.in(host.path(), () -> new BridgePlugin(root, NftFirewall::open)
                .add(Calls.request(CniCommand.ADD, conf, "c2", c2.path())));
        assertInstanceOf(Result.class, second, String.valueOf(second));
        String veth = sandbox.in(host, "ip", "-o", "link", "show", "dev",
                BridgePlugin.hostVethName("race", "c2", "eth0")).ok().stdout();
        assertTrue(veth.contains("master " + bridge), veth);
    }

    @Test
    void gcReportsADamagedRecordAndTearsDownWhatItsNameDerives(Sandbox sandbox) throws Exception {
        Sandbox.Ns host = sandbox.namespace("host");
        Sandbox.Ns c1 = sandbox.namespace("c1");
        Map<String, Object> conf = Calls.conf("gc", bridge, "10.251.8.0/24", root);
        BridgePlugin plugin = new BridgePlugin(root, NftFirewall::open);
        Object added = Calls.in(host.path(), () -> plugin.add(
                Calls.request(CniCommand.ADD, Calls.publishing(conf, 18080, 80), "c1", c1.path())));
        assertInstanceOf(Result.class, added, String.valueOf(added));
        String veth = BridgePlugin.hostVethName("gc", "c1", "eth0");
        assertEquals(0, sandbox.in(host, "ip", "link", "show", "dev", veth).exit());
        assertTrue(sandbox.in(host, "nft", "list", "map", "inet", "jnet", "pub4").ok().stdout().contains("18080"));
        Path record = root.resolve("bridge").resolve("gc").resolve("c1@eth0.json");
        Files.writeString(record, "{\"network\": \"gc\", \"containerId\"", StandardCharsets.UTF_8);

        Object gc = Calls.in(host.path(), () -> {
            plugin.gc(Calls.request(CniCommand.GC, Calls.valid(conf, List.of()), "", ""));
            return "succeeded";
        });

        CniException reported = assertInstanceOf(CniException.class, gc, "GC skipped the damaged record in silence");
        assertTrue(reported.getMessage().contains("damaged attachment record " + record), reported.getMessage());
        assertNotEquals(0, sandbox.in(host, "ip", "link", "show", "dev", veth).exit(), "the veth was left");
        assertFalse(sandbox.in(host, "nft", "list", "map", "inet", "jnet", "pub4").ok().stdout().contains("18080"),
                "the published port was left");
        assertTrue(Ipam.open(root).lease("gc", "c1", "eth0").isEmpty(), "the lease was left");
        assertFalse(Files.exists(record));
    }

    @Test
    void gcRemovesWhatAKilledWriterLeftAndKeepsTheValidRecord(Sandbox sandbox) throws Exception {
        Sandbox.Ns host = sandbox.namespace("host");
        Sandbox.Ns c1 = sandbox.namespace("c1");
        Map<String, Object> conf = Calls.conf("sweep", bridge, "10.251.9.0/24", root);
        BridgePlugin plugin = new BridgePlugin(root, NftFirewall::open);
        assertInstanceOf(Result.class, Calls.in(host.path(),
                () -> plugin.add(Calls.request(CniCommand.ADD, conf, "c1", c1.path()))));
        Path dir = root.resolve("bridge").resolve("sweep");
        Path left = dir.resolve(DurableFiles.TEMP_PREFIX + "c2@eth0.json-4242-1");
        Files.writeString(left, "{\"network\": \"sw", StandardCharsets.UTF_8); // a writer killed mid-write

        Object gc = Calls.in(host.path(), () -> {
            plugin.gc(Calls.request(CniCommand.GC, Calls.valid(conf,
                    List.of(Map.of("containerID", "c1", "ifname", "eth0"))), "", ""));
            return "succeeded";
        });

        assertEquals("succeeded", gc, String.valueOf(gc));
        assertFalse(Files.exists(left), "GC left the killed writer's temp file");
        assertTrue(Files.exists(dir.resolve("c1@eth0.json")), "GC removed a valid attachment's record");
    }

    @Test
    void anEexistThatIsNoPublishedPortIsNotPortInUse(Sandbox sandbox) throws Exception {
        Sandbox.Ns host = sandbox.namespace("host");
        Firewall.Network a = network("a", "10.251.9.0/24");
        Firewall.Network b = network("b", "10.251.10.0/24");   // another network on the same bridge device
        Object outcome = Calls.in(host.path(), () -> {
            try (NftFirewall firewall = NftFirewall.open()) {
                firewall.attach(a, publication("a1", "10.251.9.2", List.of()));
                return assertThrows(IOException.class, () -> firewall.attach(b,
                        publication("b1", "10.251.10.2", List.of(new PortMapping("tcp", 18081, 80, null)))));
            }
        });
        assertFalse(outcome instanceof PortInUseException, "a verdict-map clash was reported as a port in use: "
                + outcome);
    }

    @Test
    void aTakenPortIsPortInUseNamingThePortAndWhereItLeads(Sandbox sandbox) throws Exception {
        Sandbox.Ns host = sandbox.namespace("host");
        Firewall.Network a = network("a", "10.251.11.0/24");
        Object outcome = Calls.in(host.path(), () -> {
            try (NftFirewall firewall = NftFirewall.open()) {
                firewall.attach(a, publication("a1", "10.251.11.2", List.of(new PortMapping("tcp", 18082, 80, null))));
                return assertThrows(IOException.class, () -> firewall.attach(a, publication("a2", "10.251.11.3",
                        List.of(new PortMapping("udp", 18083, 53, null), new PortMapping("tcp", 18082, 81, null)))));
            }
        });
        PortInUseException e = assertInstanceOf(PortInUseException.class, outcome);
        assertEquals(new PortMapping("tcp", 18082, 81, null), e.port());
        assertEquals(InetAddress.getByName("10.251.11.2"), e.target());
        assertEquals(80, e.targetPort());
    }

    @Test
    void removingANetworkAndAnAddsRecordShareTheNetworksLockAndIpamsLockSurvives(Sandbox sandbox) throws Exception {
        Sandbox.Ns host = sandbox.namespace("host");
        Sandbox.Ns c1 = sandbox.namespace("c1");
        Map<String, Object> conf = Calls.conf("gone", bridge, "10.251.12.0/24", root);
        BridgePlugin plugin = new BridgePlugin(root, NftFirewall::open);
        BridgeDriver driver = new BridgeDriver(root);
        assertInstanceOf(Result.class, Calls.in(host.path(),
                () -> plugin.add(Calls.request(CniCommand.ADD, conf, "c1", c1.path()))));
        Calls.in(host.path(), () -> {
            plugin.del(Calls.request(CniCommand.DEL, conf, "c1", c1.path()));
            return null;
        });

        // IPAM is at work on the network (a GC, a lease being released): the removal waits for it
        Path ipamLock = root.resolve("ipam").resolve("gone").resolve("lock");
        Future<Object> removal;
        try (DurableFiles.Lock busy = DurableFiles.lock(ipamLock)) {
            removal = pool.submit(() -> Calls.in(host.path(), () -> {
                driver.removeNetwork("gone", bridge);
                return "removed";
            }));
            Thread.sleep(700);
            assertFalse(removal.isDone(), "network removal went ahead under IPAM's lock: " + outcome(removal));
        }
        assertEquals("removed", removal.get(30, TimeUnit.SECONDS));
        assertTrue(Files.exists(ipamLock), "the removal deleted a lock file that others may be waiting on");
        assertNotEquals(0, sandbox.in(host, "ip", "link", "show", "dev", bridge).exit());

        // a runtime's ADD through the conflist records itself under the lock that the removal holds throughout
        Sandbox.Ns c2 = sandbox.namespace("c2");
        Path record = root.resolve("bridge").resolve("gone").resolve("c2@eth0.json");
        Future<Object> add;
        try (DurableFiles.Lock removing = new EndpointStore(root).lock("gone")) {
            add = pool.submit(() -> Calls.in(host.path(),
                    () -> plugin.add(Calls.request(CniCommand.ADD, conf, "c2", c2.path()))));
            Thread.sleep(700);
            assertFalse(Files.exists(record), "an ADD recorded itself while the network was being removed");
        }
        assertInstanceOf(Result.class, add.get(30, TimeUnit.SECONDS));
        assertTrue(Files.exists(record));
        assertEquals(0, sandbox.in(host, "ip", "link", "show", "dev", bridge).exit(), "the ADD made its bridge again");
    }

    @Test
    void oneDriverServesConcurrentAttachesAndDetachesInOneJvm(Sandbox sandbox) throws Exception {
        Sandbox.Ns host = sandbox.namespace("host");
        Map<String, Object> conf = Calls.conf("many", bridge, "10.251.13.0/24", root);
        BridgeDriver driver = new BridgeDriver(root);     // as a daemon holds it: one instance, many threads
        int n = 6;
        List<Sandbox.Ns> containers = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            containers.add(sandbox.namespace("c" + i));
        }
        List<Future<Object>> adds = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = "c" + i;
            String netns = containers.get(i).path();
            adds.add(pool.submit(() -> Calls.in(host.path(), () -> driver.attach(Calls.request(CniCommand.ADD,
                    Calls.publishing(conf, 18100 + Integer.parseInt(id.substring(1)), 80), id, netns)))));
        }
        java.util.Set<String> addresses = new java.util.HashSet<>();
        for (Future<Object> add : adds) {
            Result r = assertInstanceOf(Result.class, add.get(60, TimeUnit.SECONDS));
            addresses.add(r.ips().get(0).address().toString());
        }
        assertEquals(n, addresses.size(), "every attachment has its own address: " + addresses);
        assertEquals(n, driver.endpoints("many").size());
        String ports = sandbox.in(host, "ip", "-o", "link", "show", "master", bridge).ok().stdout();
        assertEquals(n, ports.lines().count(), "every veth is a port of the bridge: " + ports);

        List<Future<Object>> dels = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = "c" + i;
            String netns = containers.get(i).path();
            dels.add(pool.submit(() -> Calls.in(host.path(), () -> {
                driver.detach(Calls.request(CniCommand.DEL, conf, id, netns));
                return "detached";
            })));
        }
        for (Future<Object> del : dels) {
            assertEquals("detached", del.get(60, TimeUnit.SECONDS));
        }
        assertEquals(List.of(), driver.endpoints("many"));
        assertEquals("", sandbox.in(host, "ip", "-o", "link", "show", "master", bridge).ok().stdout());
        assertTrue(Ipam.open(root).leases("many").isEmpty());
    }

    private static Object outcome(Future<Object> f) {
        try {
            return f.isDone() ? f.get() : "running";
        } catch (Exception e) {
            return e;
        }
    }

    private Firewall.Network network(String name, String subnet) {
        return new Firewall.Network(name, bridge, List.of(IpPrefix.parse(subnet)), true, true, false, false);
    }

    private static Firewall.Publication publication(String owner, String address, List<PortMapping> ports)
            throws IOException {
        return new Firewall.Publication(owner + "/eth0", "jv" + owner, "", List.of(InetAddress.getByName(address)),
                ports);
    }

    /** A firewall that lets the test hold an ADD at its firewall step, then refuses it. */
    private static final class RefusingFirewall implements Firewall {
        private final CountDownLatch entered;
        private final CountDownLatch release;

        RefusingFirewall(CountDownLatch entered, CountDownLatch release) {
            this.entered = entered;
            this.release = release;
        }

        @Override
        public void attach(Network network, Publication publication) throws IOException {
            entered.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new IOException("refused by the test");
        }

        @Override
        public void detach(Network network, Publication publication) {
        }

        @Override
        public void detachAddresses(Publication publication) {
        }

        @Override
        public List<String> check(Network network, Publication publication) {
            return List.of();
        }

        @Override
        public void close() {
        }
    }
}
