package io.jnet.cli;

import io.jnet.cni.CniException;
import io.jnet.cni.Json;
import io.jnet.kernel.testing.Etcd;
import io.jnet.kernel.testing.Sandbox;
import io.jnet.kernel.testing.SandboxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Overlay networks across "hosts": each host is a sandbox namespace on an underlay bridge (10.77.0.0/24, in a
 * namespace of its own that also plays the fake outside, 198.18.0.1), with its own {@code jnet daemon --etcd} (own
 * state root and socket), and containers made with {@code jnet create --network}. etcd runs in its own namespace on
 * the underlay. What is checked is what users see: packets and connections arriving with the sender's own address,
 * the kernel's routes, neighbour and FDB entries ({@code ip -j}, {@code bridge -j}), {@code network inspect}'s JSON,
 * and the plugin's STATUS code.
 */
@ExtendWith(SandboxExtension.class)
class OverlayIT {

    private static final long TTL = 4;
    private static final String UNDERLAY_GW = "10.77.0.254";
    private static final String OUTSIDE = "198.18.0.1";
    private static final int PORT = 7100;

    @Test
    void threeHostsTalkAcrossJoinLoseAHostAndRestartOne(Sandbox sandbox) throws Exception {
        try (Cluster c = new Cluster(sandbox)) {
            Host h1 = c.host(1);
            Host h2 = c.host(2);
            Host h3 = c.host(3);
            c.jnet(h1, "network", "create", "--driver", "overlay", "--subnet", "10.100.0.0/16", "ov1").ok();
            c.jnet(h1, "network", "create", "--driver", "overlay", "--subnet", "10.200.0.0/16", "--vni", "77", "ov2")
                    .ok();
            String a1 = c.container(h1, "ov1", "a1");
            String a2 = c.container(h2, "ov1", "a2");
            String a3 = c.container(h3, "ov1", "a3");
            String b1 = c.container(h1, "ov2", "b1");
            String b2 = c.container(h2, "ov2", "b2");
            assertNotEquals(prefix24(a1), prefix24(a2), "each host has its own host subnet");

            // across hosts, with the sender's own address: no NAT inside the overlay
            c.awaitPing(h1, "a1", a2);
            c.awaitPing(h1, "a1", a3);
            c.awaitPing(h3, "a3", a1);
            try (Socat socat = new Socat()) {
                socat.serve(c.enter(h2, "a2"), "tcp", PORT);
                assertEquals(a1, Socat.connect(c.enter(h1, "a1"), "tcp", a2, PORT));
                // leaving the overlay: masqueraded to the host's underlay address
                socat.serve(List.of("ip", "netns", "exec", c.underlay.name()), "tcp", PORT);
                assertEquals(h1.address, Socat.connect(c.enter(h1, "a1"), "tcp", OUTSIDE, PORT));
                // a published port, as on a bridge network: DNAT from the host's address, the client's address kept
                c.container(h1, "ov1", "p1", "-p", "8080:" + PORT);
                socat.serve(c.enter(h1, "p1"), "tcp", PORT);
                assertEquals(UNDERLAY_GW, Socat.connect(List.of("ip", "netns", "exec", c.underlay.name()), "tcp",
                        h1.address, 8080));
            }
            // two overlay networks are isolated from each other, each works within itself
            c.awaitPing(h1, "b1", b2);
            assertFalse(c.ping(h1, "a1", b2), "ov1 does not reach ov2");
            assertFalse(c.ping(h1, "b1", a2), "ov2 does not reach ov1");

            String ls = c.jnet(h1, "network", "ls").ok().stdout();     // a1 and p1 on this host
            assertTrue(ls.lines().anyMatch(l -> l.matches(".* ov1 +overlay +jo-ov1 +" + prefix24(a1) + "\\.0/24 +2 *")),
                    ls);

            // inspect: every host's subnet, VTEP and lease, and this kernel agrees
            Map<String, Object> inspected = c.inspect(h1, "ov1");
            List<Object> hosts = Json.asArray(inspected.get("hosts"), "hosts");
            assertEquals(3, hosts.size());
            for (Object o : hosts) {
                Map<String, Object> h = Json.asObject(o, "host");
                assertEquals(true, h.get("kernelMatches"), h.toString());
                long ttl = ((Number) h.get("leaseTtlSeconds")).longValue();
                assertTrue(ttl > 0 && ttl <= TTL, h.toString());
            }

            // a fourth host joins, and the others reach it
            Host h4 = c.host(4);
            String a4 = c.container(h4, "ov1", "a4");
            c.awaitPing(h1, "a1", a4);
            c.awaitPing(h4, "a4", a3);

            // host 3 dies: after the TTL its entries leave every kernel, and its subnet is free again
            String lost = prefix24(a3) + ".0/24";
            String lostVtep = prefix24(a3) + ".0";
            assertTrue(c.routesVia(h1, "ov1").contains(lost));
            h3.daemon.kill();
            Sandbox.run("ip", "netns", "delete", h3.ns.name()).ok();
            long died = System.nanoTime();
            for (Host h : List.of(h1, h2, h4)) {
                c.await("host 3's entries gone from host " + h.n, TTL + 15, () -> !c.routesVia(h, "ov1").contains(lost)
                        && !c.neighbours(h, "ov1").contains(lostVtep) && c.fdb(h, "ov1").size() == 2);
            }
            // the lease was last renewed at most a keep-alive period (TTL / 3) before the kill
            assertTrue(System.nanoTime() - died >= TimeUnit.SECONDS.toNanos(TTL) * 2 / 3
                    - TimeUnit.MILLISECONDS.toNanos(250), "not before the lease expired");
            Host h5 = c.host(5);
            String a5 = c.container(h5, "ov1", "a5");
            assertEquals(prefix24(a3), prefix24(a5), "the new host claims the dead host's subnet");
            c.awaitPing(h1, "a1", a5);

            // host 2's daemon restarts (kill -9): it reclaims its subnet, its containers keep their addresses
            String subnet2 = c.record(h2, "ov1").get("hostSubnet").toString();
            h2.daemon.kill();
            h2.daemon = c.daemon(h2);
            c.await("host 2 reclaims " + subnet2, 20, () -> h2.daemon.log().contains("reclaimed " + subnet2));
            assertEquals(subnet2, c.record(h2, "ov1").get("hostSubnet"));
            c.awaitPing(h1, "a1", a2);
            c.awaitPing(h2, "a2", a5);
            String a2b = c.container(h2, "ov1", "a2b");
            assertEquals(prefix24(a2), prefix24(a2b));

            // jnet gc covers overlay networks and keeps what is in use
            c.jnet(h2, "gc").ok();
            c.awaitPing(h1, "a1", a2b);
        }
    }

    @Test
    void etcdAwayKeepsTrafficThenStatusFailsAndRacersGetOneSubnet(Sandbox sandbox) throws Exception {
        try (Cluster c = new Cluster(sandbox)) {
            Host h1 = c.host(1);
            Host h2 = c.host(2);
            // a /23 cut into /24s has one host subnet (the first is the network's own): both daemons race for it
            c.jnet(h1, "network", "create", "--driver", "overlay", "--subnet", "10.150.0.0/23", "race").ok();
            c.await("both daemons have settled the race", 20, () -> c.hasRecord(h1, "race") && c.hasRecord(h2, "race"));
            List<Map<String, Object>> records = List.of(c.record(h1, "race"), c.record(h2, "race"));
            assertEquals(1, records.stream().filter(r -> r.containsKey("hostSubnet")).count(), records.toString());
            Map<String, Object> loser = records.stream().filter(r -> !r.containsKey("hostSubnet")).findFirst()
                    .orElseThrow();
            assertEquals("no free host subnet in 10.150.0.0/23 (all 1 /24 taken)", loser.get("error"));
            Host lost = loser == records.get(0) ? h1 : h2;
            Sandbox.Run refused = c.jnet(lost, "create", "--network", "race", "--name", "r");
            assertNotEquals(0, refused.exit());
            assertTrue(refused.stderr().contains("no free host subnet"), refused.stderr());

            c.jnet(h1, "network", "create", "--driver", "overlay", "--subnet", "10.100.0.0/16", "ov1").ok();
            String a1 = c.container(h1, "ov1", "a1");
            String a2 = c.container(h2, "ov1", "a2");
            c.awaitPing(h1, "a1", a2);
            assertEquals(0, c.status(h1, "ov1").exit(), "STATUS while the lease is valid");

            // a runtime's ADD through the conflist, served by the host's daemon through the shim
            Map<String, Object> conflist = Json.parseObject(c.jnet(h2, "network", "conflist", "ov1").ok().stdout()
                    .getBytes(StandardCharsets.UTF_8));
            Map<String, Object> plugin = new LinkedHashMap<>(Json.asObject(Json.asArray(conflist.get("plugins"),
                    "plugins").get(0), "plugin"));
            assertEquals(true, plugin.get("overlay"));
            plugin.put("cniVersion", "1.0.0");
            plugin.put("name", "ov1");
            Sandbox.Ns runtime = sandbox.namespace("cni");
            Sandbox.Run add = c.cni(h2, "ADD", runtime, plugin);
            assertEquals(0, add.exit(), add.toString());
            String viaCni = Json.asObject(Json.asArray(Json.parseObject(add.stdout().getBytes(StandardCharsets.UTF_8))
                    .get("ips"), "ips").get(0), "ip").get("address").toString();
            assertEquals(prefix24(a2), prefix24(viaCni.substring(0, viaCni.indexOf('/'))));
            c.await("the runtime's container reaches host 1", 20,
                    () -> sandbox.in(runtime, "ping", "-c1", "-W1", a1).exit() == 0);
            assertEquals(0, c.cni(h2, "DEL", runtime, plugin).exit());
            String lease = c.lease(h1);

            c.etcd.stop();
            long stopped = System.nanoTime();
            String a3 = c.container(h1, "ov1", "a3");     // ADD is local: no etcd needed while the lease lasts
            assertEquals(prefix24(a1), prefix24(a3));
            assertTrue(c.ping(h1, "a3", a2), "a new container reaches the other host without etcd");
            c.await("the lease runs out", TTL + 10, () -> c.status(h1, "ov1").exit() != 0);
            assertTrue(System.nanoTime() - stopped >= TimeUnit.SECONDS.toNanos(TTL - 2));
            assertEquals(50L, ((Number) Json.parseObject(c.status(h1, "ov1").stdout()
                    .getBytes(StandardCharsets.UTF_8)).get("code")).longValue());
            assertTrue(c.ping(h1, "a1", a2), "existing containers keep talking without etcd");
            assertTrue(c.ping(h2, "a2", a3));

            // etcd is back (it extends its leases by their TTL on start): the keep-alive resumes on the same lease
            c.etcd.restart();
            c.await("the lease is kept alive again", 20, () -> c.status(h1, "ov1").exit() == 0);
            assertTrue(h1.daemon.log().contains("etcd reachable again, lease " + lease), h1.daemon.log());
            assertEquals(lease, c.lease(h1), "still the same lease");
            assertFalse(h1.daemon.log().contains("expired in etcd"), h1.daemon.log());
        }
    }

    @Test
    void rmIsRefusedWhileUsedThenEveryHostTakesDownItsPart(Sandbox sandbox) throws Exception {
        try (Cluster c = new Cluster(sandbox)) {
            Host h1 = c.host(1);
            Host h2 = c.host(2);
            c.jnet(h1, "network", "create", "--driver", "overlay", "--subnet", "10.160.0.0/16", "ovr").ok();
            c.container(h1, "ovr", "r1");
            String r2 = c.container(h2, "ovr", "r2");
            c.awaitPing(h1, "r1", r2);
            for (Host h : List.of(h1, h2)) {
                assertFalse(c.remains(h, "ovr").isEmpty(), "the oracle sees the network on host " + h.n);
            }
            assertFalse(c.etcdKeys("ovr").isEmpty());

            Sandbox.Run refused = c.jnet(h1, "network", "rm", "ovr");
            assertNotEquals(0, refused.exit());
            assertTrue(refused.stderr().contains("network ovr has active endpoints: containers r1"), refused.stderr());
            assertFalse(c.etcdKeys("ovr").isEmpty(), "a refused rm leaves etcd alone");

            // host 1 has no container left, host 2 still has r2: host 1's part goes, host 2's stays (and says why)
            c.jnet(h1, "rm", "r1").ok();
            assertEquals("ovr", c.jnet(h1, "network", "rm", "ovr").ok().stdout().strip());
            assertEquals(List.of(), c.etcdKeys("ovr"), "the network and its claims are gone from etcd");
            c.await("host 1's part of ovr is gone", 10, () -> c.remains(h1, "ovr").isEmpty());
            assertFalse(c.hasRecord(h1, "ovr"));
            c.await("host 2 says why it keeps its part", 10, () -> h2.daemon.log().contains(
                    "network ovr: deleted in etcd, but 1 container(s) here still use it"));
            assertTrue(c.remains(h2, "ovr").contains("link jo-ovr"), c.remains(h2, "ovr").toString());
            assertTrue(c.hasRecord(h2, "ovr"));
            assertFalse(c.jnet(h1, "network", "ls").ok().stdout().contains("ovr"));

            // the last container goes: host 2's next tick takes its part down
            c.jnet(h2, "rm", "r2").ok();
            c.await("host 2's part of ovr is gone", TTL + 5, () -> c.remains(h2, "ovr").isEmpty());
            assertFalse(c.hasRecord(h2, "ovr"));
            for (Host h : List.of(h1, h2)) {
                try (Stream<Path> left = Files.list(h.root.resolve("ipam").resolve("ovr"))) {
                    assertEquals(List.of("lock"), left.map(f -> f.getFileName().toString()).toList(),
                            "host " + h.n + "'s address store of ovr is empty");
                }
            }

            // a network of the same name again: claimed anew on both hosts, and it carries traffic
            c.jnet(h2, "network", "create", "--driver", "overlay", "--subnet", "10.160.0.0/16", "ovr").ok();
            c.container(h1, "ovr", "s1");
            String s2 = c.container(h2, "ovr", "s2");
            c.awaitPing(h1, "s1", s2);
        }
    }

    private static String prefix24(String address) {
        return address.substring(0, address.lastIndexOf('.'));
    }

    /** One host: its namespace, underlay address, state and run directories, and daemon. */
    private static final class Host {
        final int n;
        final Sandbox.Ns ns;
        final String address;
        final Path root;
        final Path run;
        TestDaemon daemon;

        Host(int n, Sandbox.Ns ns, Path dir) {
            this.n = n;
            this.ns = ns;
            this.address = "10.77.0." + n;
            this.root = dir.resolve("root");
            this.run = dir.resolve("run");
        }
    }

    /** etcd and the underlay, and the hosts made so far. */
    private static final class Cluster implements AutoCloseable {
        final Sandbox sandbox;
        final Sandbox.Ns underlay;
        final Etcd etcd;
        final Path dir;
        final List<Host> hosts = new ArrayList<>();

        Cluster(Sandbox sandbox) throws IOException {
            this.sandbox = sandbox;
            this.dir = Files.createTempDirectory("jt-ovl-");
            this.underlay = sandbox.namespace("ul");
            sandbox.in(underlay, "ip", "link", "add", "br0", "type", "bridge").ok();
            sandbox.in(underlay, "ip", "addr", "add", UNDERLAY_GW + "/24", "dev", "br0").ok();
            sandbox.in(underlay, "ip", "addr", "add", OUTSIDE + "/32", "dev", "lo").ok();
            sandbox.in(underlay, "ip", "link", "set", "br0", "up").ok();
            sandbox.in(underlay, "ip", "link", "set", "lo", "up").ok();
            Sandbox.Ns etcdNs = sandbox.namespace("etcd");
            attach(etcdNs, "10.77.0.100");
            this.etcd = Etcd.start(sandbox, etcdNs, "10.77.0.100");
        }

        private void attach(Sandbox.Ns ns, String address) {
            String port = "u" + address.substring(address.lastIndexOf('.') + 1);
            sandbox.in(underlay, "ip", "link", "add", port, "type", "veth", "peer", "name", "eth0",
                    "netns", ns.name()).ok();
            sandbox.in(underlay, "ip", "link", "set", port, "master", "br0", "up").ok();
            sandbox.in(ns, "ip", "addr", "add", address + "/24", "dev", "eth0").ok();
            sandbox.in(ns, "ip", "link", "set", "eth0", "up").ok();
            sandbox.in(ns, "ip", "link", "set", "lo", "up").ok();
            sandbox.in(ns, "ip", "route", "add", "default", "via", UNDERLAY_GW).ok();
        }

        Host host(int n) throws IOException {
            Sandbox.Ns ns = sandbox.namespace("h" + n);
            attach(ns, "10.77.0." + n);
            Host h = new Host(n, ns, Files.createDirectories(dir.resolve("h" + n)));
            h.daemon = daemon(h);
            hosts.add(h);
            return h;
        }

        TestDaemon daemon(Host h) throws IOException {
            return TestDaemon.start(List.of("nsenter", "--net=" + h.ns.path()), Files.createTempDirectory(dir, "d"),
                    dir.resolve("h" + h.n + ".sock"), h.root, List.of("--etcd", etcd.endpoint(), "--lease-ttl",
                            Long.toString(TTL)));
        }

        Sandbox.Run jnet(Host h, String... args) {
            List<String> command = new ArrayList<>(List.of("nsenter", "--net=" + h.ns.path(),
                    Launchers.bin("jnet").toString()));
            command.addAll(List.of(args));
            return Sandbox.run(Map.of("JNET_ROOT", h.root.toString(), "JNET_RUN_DIR", h.run.toString(), "JNET_ETCD",
                    etcd.endpoint()), null, command.toArray(String[]::new));
        }

        /** Makes a container once the host's daemon has a subnet of the network; returns its address. */
        String container(Host h, String network, String name, String... options) throws CniException {
            await("host " + h.n + " holds a subnet of " + network, 20, () -> {
                try {
                    return hasRecord(h, network) && record(h, network).containsKey("hostSubnet");
                } catch (IOException | CniException e) {
                    return false;
                }
            });
            List<String> args = new ArrayList<>(List.of("create", "--network", network, "--name", name));
            args.addAll(List.of(options));
            String out = jnet(h, args.toArray(String[]::new)).ok().stdout();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("eth0\\s+([0-9.]+)/").matcher(out);
            assertTrue(m.find(), out);
            return m.group(1);
        }

        boolean hasRecord(Host h, String network) {
            return Files.exists(h.root.resolve("overlay").resolve(network + ".json"));
        }

        Map<String, Object> record(Host h, String network) throws IOException, CniException {
            return Json.parseObject(Files.readAllBytes(h.root.resolve("overlay").resolve(network + ".json")));
        }

        List<String> enter(Host h, String container) {
            return List.of("nsenter", "--net=" + h.run.resolve("netns").resolve(container));
        }

        boolean ping(Host h, String container, String address) {
            List<String> command = new ArrayList<>(enter(h, container));
            command.addAll(List.of("ping", "-c1", "-W1", address));
            return Sandbox.run(command.toArray(String[]::new)).exit() == 0;
        }

        void awaitPing(Host h, String container, String address) {
            await(container + " on host " + h.n + " reaches " + address, 20, () -> ping(h, container, address));
        }

        Map<String, Object> inspect(Host h, String network) throws CniException {
            List<Object> list = Json.asArray(Json.parse(jnet(h, "network", "inspect", network).ok().stdout()), "out");
            return Json.asObject(list.get(0), "network");
        }

        /** STATUS of jnet-bridge with the network's conflist, in the host, direct mode. */
        Sandbox.Run status(Host h, String network) {
            String conf = "{\"cniVersion\":\"1.1.0\",\"name\":\"" + network + "\",\"type\":\"jnet-bridge\","
                    + "\"overlay\":true,\"dataDir\":\"" + h.root + "\",\"ipam\":{\"type\":\"jnet-ipam\"}}";
            return Sandbox.run(Map.of("CNI_COMMAND", "STATUS", "CNI_PATH", Launchers.dist().resolve("bin").toString(),
                    "JNET_SHIM", "direct"), conf.getBytes(StandardCharsets.UTF_8),
                    Sandbox.inCommand(h.ns, Launchers.bin("jnet-bridge").toString()));
        }

        /** A CNI call to jnet-bridge in the host, through its shim to the host's daemon. */
        Sandbox.Run cni(Host h, String command, Sandbox.Ns container, Map<String, Object> conf) {
            return Sandbox.run(Map.of("CNI_COMMAND", command, "CNI_CONTAINERID", "cni-" + container.name(),
                    "CNI_NETNS", container.path(), "CNI_IFNAME", "eth0", "CNI_PATH",
                    Launchers.dist().resolve("bin").toString(), "JNET_SOCKET", h.daemon.socket().toString(),
                    "JNET_SHIM", "daemon"), Json.writeBytes(conf),
                    Sandbox.inCommand(h.ns, Launchers.bin("jnet-bridge").toString()));
        }

        /** The lease the host's daemon holds (its log names each lease it is granted). */
        String lease(Host h) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("holding lease ([0-9a-f]+)")
                    .matcher(h.daemon.log());
            String last = null;
            while (m.find()) {
                last = m.group(1);
            }
            assertTrue(last != null, h.daemon.log());
            return last;
        }

        String routesVia(Host h, String network) {
            return sandbox.in(h.ns, "ip", "-j", "route", "show", "dev", "jv-" + network).ok().stdout();
        }

        String neighbours(Host h, String network) {
            return sandbox.in(h.ns, "ip", "-j", "neigh", "show", "dev", "jv-" + network, "nud", "permanent").ok()
                    .stdout();
        }

        List<Object> fdb(Host h, String network) {
            try {
                return Json.asArray(Json.parse(sandbox.in(h.ns, "bridge", "-j", "fdb", "show", "dev", "jv-" + network)
                        .ok().stdout()), "fdb");
            } catch (CniException e) {
                throw new AssertionError(e);
            }
        }

        /**
         * What the host's kernel still has of a network, by independent oracles: its links ({@code ip -j link}), any
         * route into its subnet, neighbour or FDB entry on its VXLAN device, and any nftables chain or element that
         * names it ({@code nft -j list ruleset}).
         */
        List<String> remains(Host h, String network) {
            List<String> out = new ArrayList<>();
            String links = sandbox.in(h.ns, "ip", "-j", "link", "show").ok().stdout();
            for (String link : List.of("jv-" + network, "jo-" + network)) {
                if (links.contains("\"" + link + "\"")) {
                    out.add("link " + link);
                }
            }
            if (sandbox.in(h.ns, "ip", "-j", "route", "show").ok().stdout().contains("\"10.160.")) {
                out.add("route into 10.160.0.0/16");
            }
            if (sandbox.in(h.ns, "ip", "-j", "neigh", "show").ok().stdout().contains("jv-" + network)) {
                out.add("neighbour on jv-" + network);
            }
            if (sandbox.in(h.ns, "bridge", "-j", "fdb", "show").ok().stdout().contains("jv-" + network)) {
                out.add("FDB entry on jv-" + network);
            }
            String ruleset = sandbox.in(h.ns, "nft", "-j", "list", "ruleset").ok().stdout();
            if (ruleset.contains("-" + network + "\"")) {
                out.add("nftables chain or element of " + network);
            }
            return out;
        }

        /** etcd's keys under the network's prefixes, read with etcdctl. */
        List<String> etcdKeys(String network) {
            List<String> out = new ArrayList<>();
            for (String prefix : List.of("/jnet/v1/networks/" + network, "/jnet/v1/subnets/" + network + "/")) {
                etcd.etcdctl(underlay, "get", "--prefix", "--keys-only", prefix).ok().stdout().lines()
                        .filter(l -> !l.isBlank()).forEach(out::add);
            }
            return out;
        }

        void await(String what, long seconds, BooleanSupplier condition) {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (!condition.getAsBoolean()) {
                if (System.nanoTime() > until) {
                    StringBuilder logs = new StringBuilder();
                    hosts.forEach(h -> logs.append("\nhost ").append(h.n).append(":\n").append(h.daemon.log()));
                    throw new AssertionError("not within " + seconds + " s: " + what + logs);
                }
                Topology.sleep(100);
            }
        }

        @Override
        public void close() {
            for (Host h : hosts) {
                h.daemon.close();
                Sandbox.run("sh", "-c", "umount " + h.run.resolve("netns") + "/* " + h.run.resolve("netns")
                        + " 2>/dev/null; true");
            }
            etcd.close();
            try (Stream<Path> tree = Files.walk(dir)) {
                for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                // a temporary directory
            }
        }
    }
}
