package io.jnet.ipam;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.jnet.ipam.Configs.range;
import static io.jnet.ipam.Configs.subnets;
import static io.jnet.ipam.Configs.with;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Range arithmetic, round-robin, exclusions, requested addresses, exhaustion and dual stack, on a real store. */
class AllocationTest {

    @TempDir
    Path root;
    Ipam ipam;

    @BeforeEach
    void open() throws IpamException {
        ipam = Ipam.open(root, Durability.NO_FSYNC);
    }

    @Test
    void handsOutRoundRobinSkippingTheGateway() throws IpamException {
        IpamConfig c = Configs.config("10.0.0.0/29");   // hosts .1-.6, gateway .1
        assertEquals(List.of("10.0.0.2", "10.0.0.3", "10.0.0.4"), addresses(c, "a", "b", "c"));
        ipam.release("net", "a", "eth0");
        // round-robin continues after the last allocation instead of reusing .2 at once
        assertEquals(List.of("10.0.0.5", "10.0.0.6"), addresses(c, "d", "e"));
        assertEquals(List.of("10.0.0.2"), addresses(c, "f"));
        IpamException full = assertThrows(IpamException.class, () -> allocate(c, "g"));
        assertEquals(IpamException.Reason.EXHAUSTED, full.reason());
        assertEquals("no free address in range set [10.0.0.0/29 10.0.0.1-10.0.0.6 gw 10.0.0.1] of network net",
                full.getMessage());
        ipam.release("net", "d", "eth0");
        assertEquals(List.of("10.0.0.5"), addresses(c, "g"));
    }

    @Test
    void leaseCarriesPrefixGatewayRoutesAndDns() throws Exception {
        Map<String, Object> tree = with(subnets("10.0.0.0/24"), "routes", List.of(Map.of("dst", "0.0.0.0/0")));
        IpamConfig c = IpamConfig.parse(tree);
        Lease lease = allocate(c, "a");
        assertEquals("[10.0.0.2/24 gw 10.0.0.1]", lease.ips().toString());
        assertEquals("[0.0.0.0/0]", lease.routes().toString());
        assertEquals(new Owner("a", "eth0"), lease.owner());
    }

    @Test
    void explicitGatewayAndRangeBounds() throws Exception {
        IpamConfig c = IpamConfig.parse(Map.of("ranges", List.of(List.of(
                range("subnet", "10.0.0.0/24", "rangeStart", "10.0.0.250", "gateway", "10.0.0.251")))));
        assertEquals(List.of("10.0.0.250", "10.0.0.252", "10.0.0.253", "10.0.0.254"), addresses(c, "a", "b", "c", "d"));
        assertEquals(IpamException.Reason.EXHAUSTED, assertThrows(IpamException.class, () -> allocate(c, "e")).reason());
    }

    @Test
    void rangesOfASetAreUsedInOrderAndWrap() throws Exception {
        IpamConfig c = IpamConfig.parse(Map.of("ranges", List.of(List.of(
                range("subnet", "10.0.0.0/24", "rangeStart", "10.0.0.10", "rangeEnd", "10.0.0.11"),
                range("subnet", "10.0.1.0/24", "rangeStart", "10.0.1.10", "rangeEnd", "10.0.1.11")))));
        assertEquals(List.of("10.0.0.10", "10.0.0.11", "10.0.1.10"), addresses(c, "a", "b", "c"));
        ipam.release("net", "a", "eth0");
        assertEquals(List.of("10.0.1.11", "10.0.0.10"), addresses(c, "d", "e"));
    }

    @Test
    void skipsExcludedAddressesAndPrefixes() throws Exception {
        IpamConfig c = IpamConfig.parse(with(subnets("10.0.0.0/28"), "exclude",
                List.of("10.0.0.3", "10.0.0.4/30", "10.0.0.12/30", "10.0.9.9", "fd00::1")));
        // .1 gateway, .3 and .4-.7 excluded, .12-.15 excluded (and .15 is the broadcast anyway)
        assertEquals(List.of("10.0.0.2", "10.0.0.8", "10.0.0.9", "10.0.0.10", "10.0.0.11"),
                addresses(c, "a", "b", "c", "d", "e"));
        assertEquals(IpamException.Reason.EXHAUSTED, assertThrows(IpamException.class, () -> allocate(c, "f")).reason());
    }

    @Test
    void requestedAddresses() throws Exception {
        IpamConfig c = Configs.config("10.0.0.0/24");
        assertEquals("[10.0.0.77/24 gw 10.0.0.1]", allocate(c, "a", "10.0.0.77").ips().toString());
        // dynamic allocation does not follow a requested address
        assertEquals("[10.0.0.2/24 gw 10.0.0.1]", allocate(c, "b").ips().toString());

        IpamException taken = assertThrows(IpamException.class, () -> allocate(c, "c", "10.0.0.77"));
        assertEquals(IpamException.Reason.ADDRESS_IN_USE, taken.reason());
        assertEquals("requested address 10.0.0.77 in network net is held by container a ifname eth0", taken.getMessage());

        IpamException outside = assertThrows(IpamException.class, () -> allocate(c, "c", "10.0.1.5"));
        assertEquals(IpamException.Reason.INVALID_CONFIG, outside.reason());
        assertEquals("requested address 10.0.1.5 is not in any range: [[10.0.0.0/24 10.0.0.1-10.0.0.254 gw 10.0.0.1]]",
                outside.getMessage());
        assertEquals("requested address 10.0.0.1 is the gateway of range 10.0.0.0/24 10.0.0.1-10.0.0.254 gw 10.0.0.1",
                assertThrows(IpamException.class, () -> allocate(c, "c", "10.0.0.1")).getMessage());
        assertEquals("requested address 10.0.0.255 is not in any range: [[10.0.0.0/24 10.0.0.1-10.0.0.254 gw 10.0.0.1]]",
                assertThrows(IpamException.class, () -> allocate(c, "c", "10.0.0.255")).getMessage());
        assertEquals("requested addresses 10.0.0.8 and 10.0.0.9 are both in range set "
                        + "[10.0.0.0/24 10.0.0.1-10.0.0.254 gw 10.0.0.1], which yields one address",
                assertThrows(IpamException.class, () -> allocate(c, "c", "10.0.0.8", "10.0.0.9")).getMessage());
        // the same address from two sources is one request
        assertEquals("[10.0.0.8/24 gw 10.0.0.1]", allocate(c, "c", "10.0.0.8", "10.0.0.8").ips().toString());

        IpamConfig excluding = IpamConfig.parse(with(subnets("10.0.0.0/24"), "exclude", List.of("10.0.0.50")));
        assertEquals("requested address 10.0.0.50 is excluded by the config",
                assertThrows(IpamException.class, () -> allocate(excluding, "d", "10.0.0.50")).getMessage());
    }

    @Test
    void dualStackGivesOneAddressPerSet() throws Exception {
        IpamConfig c = Configs.config("10.0.0.0/24", "fd00:1::/64");
        Lease a = allocate(c, "a");
        assertEquals("[10.0.0.2/24 gw 10.0.0.1, fd00:1::2/64 gw fd00:1::1]", a.ips().toString());
        Lease b = allocate(c, "b", "fd00:1::99");
        assertEquals("[10.0.0.3/24 gw 10.0.0.1, fd00:1::99/64 gw fd00:1::1]", b.ips().toString());
        assertEquals("[10.0.0.4/24 gw 10.0.0.1, fd00:1::3/64 gw fd00:1::1]", allocate(c, "c").ips().toString());
    }

    @Test
    void dualStackFailsWholeWhenOneSetIsFull() throws Exception {
        IpamConfig c = Configs.config("10.0.0.0/30", "fd00:1::/64");   // one IPv4 address to hand out
        allocate(c, "a");
        assertEquals(IpamException.Reason.EXHAUSTED, assertThrows(IpamException.class, () -> allocate(c, "b")).reason());
        assertEquals(1, ipam.leases("net").size());
        assertEquals(List.of(c.rangeSets().get(0)), ipam.exhausted("net", c));
        assertFalse(ipam.hasFree("net", c));
        ipam.release("net", "a", "eth0");
        assertTrue(ipam.hasFree("net", c));
    }

    @Test
    void largeIpv6RangesProbeLeaseFiles() throws Exception {
        IpamConfig c = Configs.config("fd00:2::/48");
        assertEquals("[fd00:2::2/48 gw fd00:2::1]", allocate(c, "a").ips().toString());
        assertEquals("[fd00:2::3/48 gw fd00:2::1]", allocate(c, "b").ips().toString());
        allocate(c, "c", "fd00:2::5");
        assertEquals("[fd00:2::4/48 gw fd00:2::1]", allocate(c, "d").ips().toString());
        assertEquals("[fd00:2::6/48 gw fd00:2::1]", allocate(c, "e").ips().toString());
    }

    @Test
    void endOfAnIpv6RangeWrapsToItsStart() throws Exception {
        IpamConfig c = IpamConfig.parse(Map.of("ranges", List.of(List.of(range("subnet", "fd00::/64",
                "rangeStart", "fd00::ffff:ffff:ffff:fffe")))));
        assertEquals(List.of("fd00::ffff:ffff:ffff:fffe", "fd00::ffff:ffff:ffff:ffff"), addresses(c, "a", "b"));
        ipam.release("net", "a", "eth0");
        assertEquals(List.of("fd00::ffff:ffff:ffff:fffe"), addresses(c, "c"));
    }

    @Test
    void fillsASlash22WithoutDuplicates() throws Exception {
        IpamConfig c = Configs.config("10.1.0.0/22");
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1021; i++) {
            assertTrue(seen.add(allocate(c, "c" + i).ips().get(0).cidr()));
        }
        assertFalse(seen.contains("10.1.0.1/22"));
        assertFalse(seen.contains("10.1.3.255/22"));
        assertEquals(IpamException.Reason.EXHAUSTED, assertThrows(IpamException.class, () -> allocate(c, "x")).reason());
    }

    private Lease allocate(IpamConfig c, String id, String... requested) throws IpamException {
        List<InetAddress> req = new ArrayList<>();
        for (String r : requested) {
            req.add(Ip.parse(r).toInet());
        }
        return ipam.allocate("net", c, id, "eth0", req);
    }

    private List<String> addresses(IpamConfig c, String... ids) throws IpamException {
        List<String> out = new ArrayList<>();
        for (String id : ids) {
            out.add(Ip.of(allocate(c, id).ips().get(0).address()).toString());
        }
        return out;
    }
}
