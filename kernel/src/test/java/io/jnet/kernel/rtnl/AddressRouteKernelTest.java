package io.jnet.kernel.rtnl;

import io.jnet.kernel.netlink.NetlinkSocket;
import io.jnet.kernel.netlink.NlMessage;
import io.jnet.kernel.netns.NetNs;
import io.jnet.kernel.sys.ErrnoException;
import io.jnet.kernel.testing.Sandbox;
import io.jnet.kernel.testing.SandboxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.jnet.kernel.rtnl.IpOracle.get;
import static io.jnet.kernel.rtnl.RtnlGoldenTest.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Addresses, routes and traffic in sandbox namespaces, checked with our decoder and with {@code ip -j}. */
@ExtendWith(SandboxExtension.class)
class AddressRouteKernelTest {

    @Test
    void addsListsAndDeletesAddresses(Sandbox sandbox) throws Exception {
        Sandbox.Ns ns = sandbox.namespace("addr");
        try (NetNs netns = NetNs.open(ns.path()); Rtnetlink r = Rtnetlink.openIn(netns)) {
            r.createLink(LinkSpec.veth("eth0", "peer0"));
            int eth0 = r.link("eth0").orElseThrow().index();
            Address v4 = Address.of(eth0, ip("10.233.5.2"), 24).withBroadcast(ip("10.233.5.255"));
            Address v6 = Address.of(eth0, ip("fd00:233:5::2"), 64).withFlags(Address.IFA_F_NODAD);
            r.addAddress(v4);
            r.addAddress(v6);

            List<Address> ours = r.addresses(eth0);
            Address gotV4 = find(ours, v4);
            assertEquals(24, gotV4.prefixLength());
            assertEquals(Optional.of(ip("10.233.5.255")), gotV4.broadcast());
            assertTrue((gotV4.flags() & Address.IFA_F_PERMANENT) != 0);
            Address gotV6 = find(ours, v6);
            assertEquals(64, gotV6.prefixLength());
            assertTrue((gotV6.flags() & Address.IFA_F_NODAD) != 0);
            assertTrue(r.addresses().containsAll(ours));

            List<Map<String, Object>> info = addrInfo(ns, "eth0");
            Map<String, Object> oracleV4 = byLocal(info, "10.233.5.2");
            assertEquals(24L, oracleV4.get("prefixlen"));
            assertEquals("10.233.5.255", oracleV4.get("broadcast"));
            Map<String, Object> oracleV6 = byLocal(info, "fd00:233:5::2");
            assertEquals(true, oracleV6.get("nodad"));

            ErrnoException twice = assertThrows(ErrnoException.class, () -> r.addAddress(v4));
            assertTrue(twice.isAlreadyExists(), twice.getMessage());
            assertTrue(twice.getMessage().startsWith("add address 10.233.5.2/24 to link " + eth0), twice.getMessage());

            assertTrue(r.deleteAddress(v4));
            assertFalse(r.deleteAddress(v4), "deleting a missing address is a no-op");
            assertTrue(r.addresses(eth0).stream().noneMatch(a -> a.address().equals(v4.address())));
            assertTrue(addrInfo(ns, "eth0").stream().noneMatch(a -> "10.233.5.2".equals(a.get("local"))));
        }
    }

    @Test
    void theKernelFiltersAnAddressDumpByInterface(Sandbox sandbox) throws Exception {
        Sandbox.Ns ns = sandbox.namespace("addrf");
        try (NetNs netns = NetNs.open(ns.path()); Rtnetlink r = Rtnetlink.openIn(netns);
             NetlinkSocket raw = netns.openSocket(NetlinkSocket.NETLINK_ROUTE)) {
            r.createLink(LinkSpec.veth("eth0", "peer0"));
            int eth0 = r.link("eth0").orElseThrow().index();
            int peer0 = r.link("peer0").orElseThrow().index();
            r.addAddress(Address.of(eth0, ip("10.233.6.2"), 24));
            for (int i = 1; i <= 20; i++) {
                r.addAddress(Address.of(peer0, ip("10.233.7." + i), 24));
            }

            // the raw replies, before any filtering on our side: only eth0's address comes back
            List<NlMessage> replies = raw.dump(w -> RtnlCodec.dumpAddresses(w, eth0), "dump eth0's addresses");
            assertEquals(List.of(eth0), replies.stream().map(RtnlCodec::decodeAddress).map(Address::index).toList());
            assertEquals(List.of(ip("10.233.6.2")), r.addresses(eth0).stream().map(Address::address).toList());
            assertEquals(20, r.addresses(peer0).size());
            assertEquals(1, addrInfo(ns, "eth0").size(), "oracle: eth0 has one address");
        }
    }

    @Test
    void defaultRoutesMetricsOnlinkTablesReplaceAndDelete(Sandbox sandbox) throws Exception {
        Sandbox.Ns ns = sandbox.namespace("route");
        try (NetNs netns = NetNs.open(ns.path()); Rtnetlink r = Rtnetlink.openIn(netns)) {
            r.createLink(LinkSpec.veth("eth0", "peer0"));
            int eth0 = r.link("eth0").orElseThrow().index();
            r.setUp(eth0, true);
            r.setUp(r.link("peer0").orElseThrow().index(), true);
            r.addAddress(Address.of(eth0, ip("10.233.5.2"), 24));
            r.addAddress(Address.of(eth0, ip("fd00:233:5::2"), 64).withFlags(Address.IFA_F_NODAD));

            // the gateway is outside every prefix on the link: only onlink makes it reachable
            Route v4 = Route.defaultVia(ip("10.233.99.1"), eth0).withMetric(100).withOnlink(true);
            Route v6 = Route.defaultVia(ip("fd00:233:5::1"), eth0).withMetric(1024);
            Route metrics = Route.link(ip("10.233.6.0"), 24, eth0).withTable(100).withMtu(1400).withAdvmss(1360);
            r.addRoute(v4);
            r.addRoute(v6);
            r.addRoute(metrics);

            Route gotV4 = only(r.routes(Family.INET), x -> x.isDefault() && x.table() == Route.TABLE_MAIN);
            assertEquals(v4.gateway(), gotV4.gateway());
            assertEquals(100, gotV4.priority());
            assertEquals(eth0, gotV4.oif());
            assertTrue(gotV4.isOnlink());
            Route gotV6 = only(r.routes(Family.INET6), x -> x.isDefault() && x.table() == Route.TABLE_MAIN);
            assertEquals(v6.gateway(), gotV6.gateway());
            assertEquals(1024, gotV6.priority());
            Route gotMetrics = only(r.routes(Family.INET), x -> x.table() == 100);
            assertEquals(1400, gotMetrics.mtu());
            assertEquals(1360, gotMetrics.advmss());
            assertEquals(Route.SCOPE_LINK, gotMetrics.scope());

            Map<String, Object> oracleV4 = single(IpOracle.ip(ns, "route", "show", "default"));
            assertEquals("10.233.99.1", oracleV4.get("gateway"));
            assertEquals(100L, oracleV4.get("metric"));
            assertEquals(List.of("onlink"), oracleV4.get("flags"));
            Map<String, Object> oracleV6 = single(IpOracle.ip(ns, "-6", "route", "show", "default"));
            assertEquals("fd00:233:5::1", oracleV6.get("gateway"));
            assertEquals(1024L, oracleV6.get("metric"));
            Map<String, Object> oracleMetrics = single(IpOracle.ip(ns, "route", "show", "table", "100"));
            assertEquals(List.of(Map.of("mtu", 1400L, "advmss", 1360L)), oracleMetrics.get("metrics"));

            assertTrue(assertThrows(ErrnoException.class, () -> r.addRoute(v4)).isAlreadyExists());
            Route replacement = Route.defaultVia(ip("10.233.5.1"), eth0).withMetric(100);
            r.replaceRoute(replacement);
            assertEquals("10.233.5.1", single(IpOracle.ip(ns, "route", "show", "default")).get("gateway"));
            assertEquals(replacement.gateway(),
                    only(r.routes(Family.INET), x -> x.isDefault() && x.table() == Route.TABLE_MAIN).gateway());

            assertTrue(r.deleteRoute(replacement));
            assertFalse(r.deleteRoute(replacement), "deleting a missing route is a no-op");
            assertTrue(r.deleteRoute(v6));
            assertTrue(IpOracle.ip(ns, "route", "show", "default").isEmpty());
            assertTrue(IpOracle.ip(ns, "-6", "route", "show", "default").isEmpty());
        }
    }

    /** What the bridge driver does for a container, then a ping across the pair and the bridge. */
    @Test
    void bridgedContainerReachesItsGateway(Sandbox sandbox) throws Exception {
        Sandbox.Ns hostNs = sandbox.namespace("host");
        Sandbox.Ns containerNs = sandbox.namespace("ctr");
        try (NetNs host = NetNs.open(hostNs.path()); NetNs container = NetNs.open(containerNs.path());
             Rtnetlink h = Rtnetlink.openIn(host); Rtnetlink c = Rtnetlink.openIn(container)) {
            h.createLink(LinkSpec.bridge("jt-br0"));
            Link bridge = h.link("jt-br0").orElseThrow();
            h.addAddress(Address.of(bridge.index(), ip("10.233.7.1"), 24));
            h.addAddress(Address.of(bridge.index(), ip("fd00:233:7::1"), 64).withFlags(Address.IFA_F_NODAD));
            h.setUp(bridge.index(), true);

            h.createLink(LinkSpec.veth("veth7", "eth0").withPeerNetns(container));
            Link hostEnd = h.link("veth7").orElseThrow();
            h.setMaster(hostEnd.index(), bridge.index());
            h.setUp(hostEnd.index(), true);

            Link eth0 = c.link("eth0").orElseThrow();
            c.setUp(eth0.index(), true);
            c.addAddress(Address.of(eth0.index(), ip("10.233.7.2"), 24));
            c.addAddress(Address.of(eth0.index(), ip("fd00:233:7::2"), 64).withFlags(Address.IFA_F_NODAD));
            c.addRoute(Route.defaultVia(ip("10.233.7.1"), eth0.index()));
            c.addRoute(Route.defaultVia(ip("fd00:233:7::1"), eth0.index()));

            sandbox.in(containerNs, "ping", "-c1", "-W2", "10.233.7.1").ok();
            sandbox.in(containerNs, "ping", "-6", "-c1", "-W2", "fd00:233:7::1").ok();
            assertEquals("jt-br0", IpOracle.link(hostNs, "veth7").get("master"));
        }
    }

    @Test
    void pingAcrossAVethPair(Sandbox sandbox) throws Exception {
        Sandbox.Ns hostNs = sandbox.namespace("host");
        Sandbox.Ns containerNs = sandbox.namespace("ctr");
        try (NetNs host = NetNs.open(hostNs.path()); NetNs container = NetNs.open(containerNs.path());
             Rtnetlink h = Rtnetlink.openIn(host); Rtnetlink c = Rtnetlink.openIn(container)) {
            h.createLink(LinkSpec.veth("veth5", "eth0").withPeerNetns(container));
            int hostEnd = h.link("veth5").orElseThrow().index();
            int eth0 = c.link("eth0").orElseThrow().index();
            h.addAddress(Address.of(hostEnd, ip("10.233.5.1"), 24));
            c.addAddress(Address.of(eth0, ip("10.233.5.2"), 24));
            h.setUp(hostEnd, true);
            c.setUp(eth0, true);
            sandbox.in(containerNs, "ping", "-c1", "-W2", "10.233.5.1").ok();
        }
    }

    private static Address find(List<Address> addresses, Address wanted) {
        return addresses.stream().filter(a -> a.address().equals(wanted.address())).findFirst()
                .orElseThrow(() -> new AssertionError(wanted + " not in " + addresses));
    }

    private static Route only(List<Route> routes, java.util.function.Predicate<Route> filter) {
        List<Route> matching = routes.stream().filter(filter).toList();
        assertEquals(1, matching.size(), routes.toString());
        return matching.get(0);
    }

    private static Map<String, Object> single(List<Map<String, Object>> list) {
        assertEquals(1, list.size(), list.toString());
        return list.get(0);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> addrInfo(Sandbox.Ns ns, String dev) {
        return (List<Map<String, Object>>) get(single(IpOracle.ip(ns, "addr", "show", "dev", dev)), "addr_info");
    }

    private static Map<String, Object> byLocal(List<Map<String, Object>> info, String local) {
        return info.stream().filter(a -> local.equals(a.get("local"))).findFirst()
                .orElseThrow(() -> new AssertionError(local + " not in " + info));
    }
}
