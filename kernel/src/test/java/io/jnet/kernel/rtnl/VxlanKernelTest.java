package io.jnet.kernel.rtnl;

import io.jnet.kernel.netns.NetNs;
import io.jnet.kernel.sys.ErrnoException;
import io.jnet.kernel.testing.Sandbox;
import io.jnet.kernel.testing.SandboxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static io.jnet.kernel.rtnl.IpOracle.get;
import static io.jnet.kernel.rtnl.RtnlGoldenTest.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * VXLAN devices, neighbour entries and FDB entries in a sandbox namespace, checked with our decoder and with
 * {@code ip -j -d link}, {@code ip -j neigh} and {@code bridge -j fdb}.
 */
@ExtendWith(SandboxExtension.class)
class VxlanKernelTest {

    private static final MacAddress VTEP_MAC = MacAddress.parse("02:00:0a:f4:01:00");
    private static final MacAddress PEER_MAC = MacAddress.parse("02:00:0a:f4:02:00");
    private static final MacAddress OTHER_MAC = MacAddress.parse("02:00:0a:f4:03:00");

    @Test
    void createsAndDecodesVxlanDevices(Sandbox sandbox) throws Exception {
        Sandbox.Ns ns = sandbox.namespace("vxlan");
        try (NetNs netns = NetNs.open(ns.path()); Rtnetlink r = Rtnetlink.openIn(netns)) {
            r.createLink(LinkSpec.veth("ul0", "ul1"));
            int underlay = r.link("ul0").orElseThrow().index();
            VxlanInfo info = VxlanInfo.of(42).withLocal(ip("198.18.0.1")).withUnderlay(underlay);
            LinkSpec.Vxlan v4 = LinkSpec.vxlan("vx0", info).withMtu(1450).withMac(VTEP_MAC);
            LinkSpec.Vxlan v6 = LinkSpec.vxlan("vx6", VxlanInfo.of(16_000_000).withLocal(ip("fd00:198:18::1"))
                    .withPort(8472));
            r.createLink(v4);
            r.createLink(v6);

            Link got4 = r.link("vx0").orElseThrow();
            assertEquals("vxlan", got4.kind());
            assertEquals(Optional.of(v4.info()), got4.vxlan(), "a converger compares desired and actual with equals");
            assertEquals(1450, got4.mtu());
            assertEquals(VTEP_MAC.toString(), got4.mac());
            assertEquals(Optional.of(v6.info()), r.link("vx6").orElseThrow().vxlan());
            assertEquals(Optional.empty(), r.link("ul0").orElseThrow().vxlan());
            assertEquals(Set.of("vx0", "vx6"), r.links().stream().filter(l -> l.vxlan().isPresent())
                    .map(Link::name).collect(Collectors.toSet()));

            Map<String, Object> oracle = IpOracle.link(ns, "vx0");
            assertEquals("vxlan", get(oracle, "linkinfo", "info_kind"));
            assertEquals(42L, get(oracle, "linkinfo", "info_data", "id"));
            assertEquals("198.18.0.1", get(oracle, "linkinfo", "info_data", "local"));
            assertEquals(4789L, get(oracle, "linkinfo", "info_data", "port"));
            assertEquals(false, get(oracle, "linkinfo", "info_data", "learning"));
            assertEquals("ul0", get(oracle, "linkinfo", "info_data", "link"));
            assertEquals(1450L, oracle.get("mtu"));
            Map<String, Object> oracle6 = IpOracle.link(ns, "vx6");
            assertEquals(16_000_000L, get(oracle6, "linkinfo", "info_data", "id"));
            assertEquals("fd00:198:18::1", get(oracle6, "linkinfo", "info_data", "local6"));
            assertEquals(8472L, get(oracle6, "linkinfo", "info_data", "port"));

            // the same VNI, port and local address twice: the kernel's own words reach the caller
            ErrnoException clash = assertThrows(ErrnoException.class, () ->
                    r.createLink(LinkSpec.vxlan("vx1", v4.info())));
            assertTrue(clash.isAlreadyExists(), clash.getMessage());
            assertFalse(clash instanceof LinkExistsException, "the name vx1 is free; the VNI is taken");
            assertTrue(clash.getMessage().contains("create vxlan vx1 (vni 42)"), clash.getMessage());
            assertTrue(clash.getMessage().contains("VNI"), "the extended ACK names the VNI: " + clash.getMessage());
            assertThrows(LinkExistsException.class, () -> r.createLink(LinkSpec.vxlan("vx0", VxlanInfo.of(7))),
                    "a VXLAN device whose name is taken");
        }
    }

    @Test
    void replacesListsAndDeletesNeighbours(Sandbox sandbox) throws Exception {
        Sandbox.Ns ns = sandbox.namespace("neigh");
        try (NetNs netns = NetNs.open(ns.path()); Rtnetlink r = Rtnetlink.openIn(netns)) {
            int vx0 = upVxlan(r);
            Neighbour v4 = Neighbour.permanent(vx0, ip("10.244.2.0"), PEER_MAC);
            Neighbour v6 = Neighbour.permanent(vx0, ip("fd00:244:2::"), PEER_MAC);
            r.replaceNeighbour(v4);
            r.replaceNeighbour(v6);
            r.replaceNeighbour(v4); // idempotent

            // the kernel's own entries (NOARP, for IPv6 multicast) are listed too; ours are the permanent ones
            assertEquals(Set.of(v4, v6), permanent(r.neighbours(vx0)));
            Map<String, Object> oracle4 = byDst(IpOracle.ip(ns, "neigh", "show", "dev", "vx0"), "10.244.2.0");
            assertEquals(PEER_MAC.toString(), oracle4.get("lladdr"));
            assertEquals(List.of("PERMANENT"), oracle4.get("state"));
            assertEquals(PEER_MAC.toString(),
                    byDst(IpOracle.ip(ns, "-6", "neigh", "show", "dev", "vx0"), "fd00:244:2::").get("lladdr"));

            Neighbour moved = Neighbour.permanent(vx0, ip("10.244.2.0"), OTHER_MAC);
            r.replaceNeighbour(moved);
            assertEquals(Set.of(moved, v6), permanent(r.neighbours(vx0)));
            assertEquals(OTHER_MAC.toString(),
                    byDst(IpOracle.ip(ns, "neigh", "show", "dev", "vx0"), "10.244.2.0").get("lladdr"));

            assertTrue(r.deleteNeighbour(moved));
            assertTrue(r.deleteNeighbour(v6));
            assertFalse(r.deleteNeighbour(v6), "deleting a missing neighbour is a no-op");
            assertEquals(Set.of(), permanent(r.neighbours(vx0)));
            assertEquals(List.of(), IpOracle.ip(ns, "neigh", "show", "dev", "vx0"));

            ErrnoException noLink = assertThrows(ErrnoException.class, () ->
                    r.replaceNeighbour(Neighbour.permanent(999, ip("10.244.2.0"), PEER_MAC)));
            assertTrue(noLink.isNotFound(), noLink.getMessage());
        }
    }

    @Test
    void appendsReplacesListsAndDeletesFdbEntries(Sandbox sandbox) throws Exception {
        Sandbox.Ns ns = sandbox.namespace("fdb");
        try (NetNs netns = NetNs.open(ns.path()); Rtnetlink r = Rtnetlink.openIn(netns)) {
            int vx0 = upVxlan(r);
            assertEquals(List.of(), r.fdb(vx0), "learning off and no remote: no all-zero default entry");
            assertEquals(List.of(), IpOracle.bridge(ns, "fdb", "show", "dev", "vx0"));

            FdbEntry peer = FdbEntry.vxlanPeer(vx0, PEER_MAC, ip("198.18.0.2"));
            r.appendFdb(peer);
            r.replaceFdb(peer); // idempotent
            assertEquals(List.of(peer), r.fdb(vx0));
            Map<String, Object> oracle = single(IpOracle.bridge(ns, "fdb", "show", "dev", "vx0"));
            assertEquals(PEER_MAC.toString(), oracle.get("mac"));
            assertEquals("198.18.0.2", oracle.get("dst"));
            assertEquals(List.of("self"), oracle.get("flags"));
            assertEquals("permanent", oracle.get("state"));

            // the kernel keeps one destination per unicast MAC: append leaves it, replace moves it
            r.appendFdb(FdbEntry.vxlanPeer(vx0, PEER_MAC, ip("198.18.0.3")));
            assertEquals(List.of(peer), r.fdb(vx0));

            FdbEntry moved = FdbEntry.vxlanPeer(vx0, PEER_MAC, ip("198.18.0.4"));
            r.replaceFdb(moved);
            assertEquals(List.of(moved), r.fdb(vx0));
            assertEquals("198.18.0.4", single(IpOracle.bridge(ns, "fdb", "show", "dev", "vx0")).get("dst"));

            assertTrue(r.deleteFdb(moved));
            assertFalse(r.deleteFdb(moved), "deleting a missing entry is a no-op");
            assertEquals(List.of(), r.fdb(vx0));
            assertEquals(List.of(), IpOracle.bridge(ns, "fdb", "show", "dev", "vx0"));

            // the all-zero MAC takes several destinations (head-end replication, which the overlay does not use):
            // append adds one, and a delete with a destination removes only that one
            MacAddress flood = new MacAddress(0);
            FdbEntry first = FdbEntry.vxlanPeer(vx0, flood, ip("198.18.0.2"));
            FdbEntry second = FdbEntry.vxlanPeer(vx0, flood, ip("198.18.0.3"));
            r.appendFdb(first);
            r.appendFdb(second);
            assertEquals(Set.of(first, second), Set.copyOf(r.fdb(vx0)));
            assertEquals(Set.of("198.18.0.2", "198.18.0.3"), IpOracle.bridge(ns, "fdb", "show", "dev", "vx0").stream()
                    .map(e -> e.get("dst")).collect(Collectors.toSet()));
            assertTrue(r.deleteFdb(first));
            assertEquals(List.of(second), r.fdb(vx0));
            assertTrue(r.deleteFdb(second));
            assertEquals(List.of(), IpOracle.bridge(ns, "fdb", "show", "dev", "vx0"));
        }
    }

    private static Set<Neighbour> permanent(List<Neighbour> neighbours) {
        return neighbours.stream().filter(Neighbour::isPermanent).collect(Collectors.toSet());
    }

    private static int upVxlan(Rtnetlink r) throws ErrnoException {
        r.createLink(LinkSpec.vxlan("vx0", VxlanInfo.of(42).withLocal(ip("198.18.0.1"))).withMac(VTEP_MAC));
        int index = r.link("vx0").orElseThrow().index();
        r.setUp(index, true);
        return index;
    }

    private static Map<String, Object> byDst(List<Map<String, Object>> entries, String dst) {
        return entries.stream().filter(e -> dst.equals(e.get("dst"))).findFirst()
                .orElseThrow(() -> new AssertionError(dst + " not in " + entries));
    }

    private static Map<String, Object> single(List<Map<String, Object>> list) {
        assertEquals(1, list.size(), list.toString());
        return list.get(0);
    }
}
