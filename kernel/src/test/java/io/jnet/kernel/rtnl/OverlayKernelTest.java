package io.jnet.kernel.rtnl;

import io.jnet.kernel.netns.NetNs;
import io.jnet.kernel.sys.ErrnoException;
import io.jnet.kernel.sysctl.Sysctl;
import io.jnet.kernel.testing.Sandbox;
import io.jnet.kernel.testing.SandboxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.jnet.kernel.rtnl.IpOracle.get;
import static io.jnet.kernel.rtnl.RtnlGoldenTest.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * flannel's vxlan model between two "hosts" (namespaces joined by an underlay veth, 198.18.0.1 and .2), each with
 * a container subnet on a bridge (10.244.1.0/24 and 10.244.2.0/24) and a VXLAN device (learning off, no remote).
 * Per peer, our code programs the route to the peer's subnet via its VTEP address onlink, the neighbour entry VTEP
 * address to VTEP MAC, and the FDB entry VTEP MAC to underlay address; containers then reach each other with their
 * own addresses. The kernel state is checked with {@code ip -j} and {@code bridge -j}, the traffic by what arrives.
 */
@ExtendWith(SandboxExtension.class)
class OverlayKernelTest {

    private static final int VNI = 42;
    private static final int PORT = 7000;

    @Test
    void containersOnTwoHostsTalkThroughVxlanWithTheirOwnAddresses(Sandbox sandbox) throws Exception {
        try (Host a = new Host(sandbox, 1); Host b = new Host(sandbox, 2)) {
            Host.peers(a, b);

            long received = stats(b.ns, "rx", "packets");
            sandbox.in(a.container, "ping", "-c2", "-W2", b.containerIp()).ok();
            sandbox.in(b.container, "ping", "-c2", "-W2", a.containerIp()).ok();
            assertEquals(a.containerIp(), peerAddressSeenBy(sandbox, b.container, b.containerIp(), a.container),
                    "the receiver sees the sender's own address: no NAT on the way");
            assertTrue(stats(b.ns, "rx", "packets") >= received + 2, "the packets came out of b's VXLAN device");

            // our decoder and the oracles agree on a's kernel state: exactly the static entries, nothing learned
            assertEquals(List.of(a.fdbEntryFor(b)), a.rtnl.fdb(a.vxlan));
            assertEquals(List.of(a.neighbourFor(b)), a.rtnl.neighbours(a.vxlan).stream()
                    .filter(Neighbour::isPermanent).toList());
            Map<String, Object> fdb = single(IpOracle.bridge(a.ns, "fdb", "show", "dev", "vx0"));
            assertEquals(b.vtepMac.toString(), fdb.get("mac"));
            assertEquals("198.18.0.2", fdb.get("dst"));
            assertEquals("permanent", fdb.get("state"));
            Map<String, Object> neighbour = single(IpOracle.ip(a.ns, "neigh", "show", "dev", "vx0"));
            assertEquals("10.244.2.0", neighbour.get("dst"));
            assertEquals(b.vtepMac.toString(), neighbour.get("lladdr"));
            assertEquals(List.of("PERMANENT"), neighbour.get("state"));
            Map<String, Object> route = single(IpOracle.ip(a.ns, "route", "show", "dev", "vx0"));
            assertEquals("10.244.2.0/24", route.get("dst"));
            assertEquals("10.244.2.0", route.get("gateway"));
            assertEquals(List.of("onlink"), route.get("flags"));
            Map<String, Object> link = IpOracle.link(a.ns, "vx0");
            assertEquals(false, get(link, "linkinfo", "info_data", "learning"));
            assertEquals((long) VNI, get(link, "linkinfo", "info_data", "id"));
        }
    }

    @Test
    void withoutItsFdbEntryNothingFloodsAndDeletingThePeerLeavesNothing(Sandbox sandbox) throws Exception {
        try (Host a = new Host(sandbox, 1); Host b = new Host(sandbox, 2)) {
            Host.peers(a, b);
            sandbox.in(a.container, "ping", "-c1", "-W2", b.containerIp()).ok();

            // route and neighbour entry still there, FDB entry gone: the device has nowhere to send and drops
            assertTrue(a.rtnl.deleteFdb(a.fdbEntryFor(b)));
            long sent = stats(a.ns, "tx", "packets");
            long dropped = stats(a.ns, "tx", "dropped");
            long received = stats(b.ns, "rx", "packets");
            assertNotEquals(0, sandbox.in(a.container, "ping", "-c2", "-W1", b.containerIp()).exit());
            assertEquals(sent, stats(a.ns, "tx", "packets"), "nothing was encapsulated: no flooding");
            assertTrue(stats(a.ns, "tx", "dropped") >= dropped + 2, "the device dropped the pings");
            assertEquals(received, stats(b.ns, "rx", "packets"), "nothing arrived at b");

            assertTrue(a.rtnl.deleteNeighbour(a.neighbourFor(b)));
            assertTrue(a.rtnl.deleteRoute(a.routeTo(b)));
            b.removePeer(a);
            for (Host h : List.of(a, b)) {
                assertEquals(List.of(), h.rtnl.fdb(h.vxlan));
                assertEquals(List.of(), h.rtnl.neighbours(h.vxlan).stream().filter(Neighbour::isPermanent).toList());
                assertTrue(h.rtnl.routes(Family.INET).stream().noneMatch(r -> r.oif() == h.vxlan
                        && r.table() == Route.TABLE_MAIN), "no route over the VXLAN device");
                assertEquals(List.of(), IpOracle.bridge(h.ns, "fdb", "show", "dev", "vx0"), "no FDB entry at all");
                assertEquals(List.of(), IpOracle.ip(h.ns, "neigh", "show", "dev", "vx0"));
                assertEquals(List.of(), IpOracle.ip(h.ns, "route", "show", "dev", "vx0"));
            }
            assertFalse(a.rtnl.deleteFdb(a.fdbEntryFor(b)), "a second delete finds nothing");
            assertFalse(a.rtnl.deleteNeighbour(a.neighbourFor(b)));
            assertFalse(a.rtnl.deleteRoute(a.routeTo(b)));
            assertNotEquals(0, sandbox.in(b.container, "ping", "-c1", "-W1", a.containerIp()).exit());
        }
    }

    /**
     * One overlay host {@code n}: underlay address 198.18.0.n, container subnet 10.244.n.0/24 on bridge br0 with a
     * container 10.244.n.2 behind a veth, VXLAN device vx0 with VTEP address 10.244.n.0 and MAC 02:00:0a:f4:0n:00.
     */
    private static final class Host implements AutoCloseable {
        final Sandbox.Ns ns;
        final Sandbox.Ns container;
        final NetNs netns;
        final Rtnetlink rtnl;
        final int n;
        final MacAddress vtepMac;
        int vxlan;

        Host(Sandbox sandbox, int n) throws IOException {
            this.n = n;
            this.ns = sandbox.namespace("ovl" + n);
            this.container = sandbox.namespace("ovc" + n);
            this.netns = NetNs.open(ns.path());
            this.rtnl = Rtnetlink.openIn(netns);
            this.vtepMac = MacAddress.parse("02:00:0a:f4:0" + n + ":00");
        }

        /** The underlay (a veth between the hosts), each host's bridge, container and VXLAN device, and the peers. */
        static void peers(Host a, Host b) throws IOException {
            a.rtnl.createLink(LinkSpec.veth("ul0", "ul0").withPeerNetns(b.netns));
            a.setUp();
            b.setUp();
            a.addPeer(b);
            b.addPeer(a);
        }

        private void setUp() throws IOException {
            int underlay = rtnl.link("ul0").orElseThrow().index();
            rtnl.addAddress(Address.of(underlay, underlay(), 24));
            rtnl.setUp(underlay, true);
            Sysctl.write(netns, "net.ipv4.ip_forward", "1");

            rtnl.createLink(LinkSpec.bridge("br0"));
            int bridge = rtnl.link("br0").orElseThrow().index();
            rtnl.addAddress(Address.of(bridge, ip("10.244." + n + ".1"), 24));
            rtnl.setUp(bridge, true);
            try (NetNs c = NetNs.open(container.path()); Rtnetlink cr = Rtnetlink.openIn(c)) {
                rtnl.createLink(LinkSpec.veth("veth0", "eth0").withPeerNetns(c));
                int hostEnd = rtnl.link("veth0").orElseThrow().index();
                rtnl.setMaster(hostEnd, bridge);
                rtnl.setUp(hostEnd, true);
                int eth0 = cr.link("eth0").orElseThrow().index();
                cr.addAddress(Address.of(eth0, ip(containerIp()), 24));
                cr.setUp(eth0, true);
                cr.setUp(cr.link("lo").orElseThrow().index(), true);
                cr.addRoute(Route.defaultVia(ip("10.244." + n + ".1"), eth0));
            }

            VxlanInfo info = VxlanInfo.of(VNI).withLocal(underlay()).withUnderlay(underlay);
            rtnl.createLink(LinkSpec.vxlan("vx0", info).withMtu(1450).withMac(vtepMac));
            vxlan = rtnl.link("vx0").orElseThrow().index();
            rtnl.addAddress(Address.of(vxlan, vtep(), 32));
            rtnl.setUp(vxlan, true);
        }

        /** As flannel: the neighbour and FDB entries first, so that the route never points at nothing. */
        void addPeer(Host peer) throws ErrnoException {
            rtnl.replaceNeighbour(neighbourFor(peer));
            rtnl.replaceFdb(fdbEntryFor(peer));
            rtnl.replaceRoute(routeTo(peer));
        }

        void removePeer(Host peer) throws ErrnoException {
            assertTrue(rtnl.deleteRoute(routeTo(peer)));
            assertTrue(rtnl.deleteNeighbour(neighbourFor(peer)));
            assertTrue(rtnl.deleteFdb(fdbEntryFor(peer)));
        }

        Route routeTo(Host peer) {
            return Route.via(peer.vtep(), 24, peer.vtep(), vxlan).withOnlink(true);
        }

        Neighbour neighbourFor(Host peer) {
            return Neighbour.permanent(vxlan, peer.vtep(), peer.vtepMac);
        }

        FdbEntry fdbEntryFor(Host peer) {
            return FdbEntry.vxlanPeer(vxlan, peer.vtepMac, peer.underlay());
        }

        InetAddress underlay() {
            return ip("198.18.0." + n);
        }

        InetAddress vtep() {
            return ip("10.244." + n + ".0");
        }

        String containerIp() {
            return "10.244." + n + ".2";
        }

        @Override
        public void close() {
            rtnl.close();
            netns.close();
        }
    }

    /** A counter of vx0 in {@code ns} from {@code ip -s -j link}: direction "rx" or "tx", counter "packets"... */
    private static long stats(Sandbox.Ns ns, String direction, String counter) {
        Object value = get(single(IpOracle.ip(ns, "-s", "link", "show", "dev", "vx0")), "stats64", direction, counter);
        return (Long) value;
    }

    /**
     * Connects from {@code client} to a socat server in {@code server} that writes back the peer address it
     * accepted the connection from, and returns that address.
     */
    private static String peerAddressSeenBy(Sandbox sandbox, Sandbox.Ns server, String address, Sandbox.Ns client)
            throws IOException, InterruptedException {
        Process listener = new ProcessBuilder(Sandbox.inCommand(server, "socat", "-T5",
                "TCP-LISTEN:" + PORT + ",bind=" + address + ",reuseaddr", "SYSTEM:echo $SOCAT_PEERADDR"))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (sandbox.in(server, "ss", "-ltnH", "sport = :" + PORT).ok().stdout().isBlank()) {
                assertTrue(listener.isAlive() && System.nanoTime() < deadline, "socat never listened");
                Thread.sleep(20);
            }
            return sandbox.in(client, "socat", "-T5", "-u", "TCP:" + address + ":" + PORT, "STDOUT").ok().stdout()
                    .trim();
        } finally {
            listener.destroy();
            if (!listener.waitFor(5, TimeUnit.SECONDS)) {
                listener.destroyForcibly().waitFor();
            }
        }
    }

    private static Map<String, Object> single(List<Map<String, Object>> list) {
        assertEquals(1, list.size(), list.toString());
        return list.get(0);
    }
}
