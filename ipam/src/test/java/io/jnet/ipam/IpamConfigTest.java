package io.jnet.ipam;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.jnet.ipam.Configs.range;
import static io.jnet.ipam.Configs.subnets;
import static io.jnet.ipam.Configs.with;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IpamConfigTest {

    @Test
    void fillsHostLocalDefaults() throws IpamException {
        IpamConfig c = Configs.config("10.0.0.0/24", "fd00:1::/64");
        Range v4 = c.rangeSets().get(0).ranges().get(0);
        assertEquals("10.0.0.0/24 10.0.0.1-10.0.0.254 gw 10.0.0.1", v4.toString());
        Range v6 = c.rangeSets().get(1).ranges().get(0);
        assertEquals("fd00:1::/64 fd00:1::1-fd00:1::ffff:ffff:ffff:ffff gw fd00:1::1", v6.toString());
        assertEquals(Optional.empty(), c.dataDir());
        assertTrue(c.dns().isEmpty());
    }

    @Test
    void readsEveryField(@TempDir Path dir) throws Exception {
        Path resolv = dir.resolve("resolv.conf");
        Files.writeString(resolv, """
                # a comment
                ; another
                nameserver 10.0.0.53
                nameserver fd00::53
                domain example.org
                search a.example b.example
                options ndots:2 edns0
                sortlist 10.0.0.0/8
                nameserver
                """);
        Map<String, Object> ipam = Map.of(
                "type", "jnet-ipam",
                "ranges", List.of(
                        List.of(range("subnet", "10.0.0.0/24", "rangeStart", "10.0.0.10", "rangeEnd", "10.0.0.20",
                                        "gateway", "10.0.0.254"),
                                range("subnet", "10.0.1.0/24")),
                        List.of(range("subnet", "fd00::/64", "rangeStart", "fd00::100"))),
                "routes", List.of(Map.of("dst", "0.0.0.0/0"), Map.of("dst", "192.168.0.0/16", "gw", "10.0.0.1"),
                        Map.of("dst", "10.9.9.9/8")),
                "exclude", List.of("10.0.0.15", "10.0.1.128/25", "fd00::100"),
                "dataDir", dir.resolve("data").toString(),
                "resolvConf", resolv.toString());
        IpamConfig c = IpamConfig.parse(ipam);
        assertEquals(2, c.rangeSets().size());
        assertEquals("[10.0.0.0/24 10.0.0.10-10.0.0.20 gw 10.0.0.254, 10.0.1.0/24 10.0.1.1-10.0.1.254 gw 10.0.1.1]",
                c.rangeSets().get(0).toString());
        assertEquals("[fd00::/64 fd00::100-fd00::ffff:ffff:ffff:ffff gw fd00::1]", c.rangeSets().get(1).toString());
        assertEquals("[0.0.0.0/0, 192.168.0.0/16 via 10.0.0.1, 10.0.0.0/8]", c.routes().toString());
        assertEquals("[10.0.0.15/32, 10.0.1.128/25, fd00::100/128]", c.exclude().toString());
        assertEquals(Optional.of(dir.resolve("data")), c.dataDir());
        assertEquals(new DnsSettings(List.of("10.0.0.53", "fd00::53"), "example.org",
                List.of("a.example", "b.example"), List.of("ndots:2", "edns0")), c.dns());
    }

    @Test
    void legacyTopLevelRangeComesFirst() throws IpamException {
        Map<String, Object> ipam = with(with(subnets("10.0.1.0/24"), "subnet", "10.0.0.0/24"), "rangeStart", "10.0.0.100");
        IpamConfig c = IpamConfig.parse(ipam);
        assertEquals("10.0.0.0/24 10.0.0.100-10.0.0.254 gw 10.0.0.1", c.rangeSets().get(0).ranges().get(0).toString());
        assertEquals("10.0.1.0/24", c.rangeSets().get(1).ranges().get(0).subnet().toString());
    }

    @Test
    void jsonNullIsAbsent() throws IpamException {
        Map<String, Object> ipam = new java.util.HashMap<>(subnets("10.0.0.0/24"));
        ipam.put("routes", null);
        ipam.put("subnet", null);
        ipam.put("resolvConf", null);
        assertEquals(1, IpamConfig.parse(ipam).rangeSets().size());
    }

    @Test
    void hostileConfigsAreInvalidConfig() {
        assertInvalid(Map.of("type", "jnet-ipam"), "no IP ranges specified");
        assertInvalid(subnets("10.0.0.0/33"), "ipam.ranges[0][0].subnet: invalid CIDR \"10.0.0.0/33\" (bad prefix length)");
        assertInvalid(subnets("10.0.0/24"), "ipam.ranges[0][0].subnet: invalid IP address \"10.0.0\"");
        assertInvalid(subnets("10.0.0.5/24"), "ipam.ranges[0][0].subnet: 10.0.0.5/24 has host bits set; the network is 10.0.0.0/24");
        assertInvalid(subnets("10.0.0.0/31"), "ipam.ranges[0][0]: subnet 10.0.0.0/31 is too small to allocate from");
        assertInvalid(subnets("10.0.0.0/32"), "ipam.ranges[0][0]: subnet 10.0.0.0/32 is too small to allocate from");
        assertInvalid(subnets("fd00::/127"), "ipam.ranges[0][0]: subnet fd00::/127 is too small to allocate from");
        assertInvalid(oneRange("subnet", "10.0.0.0/24", "rangeStart", "10.0.1.5"),
                "ipam.ranges[0][0]: rangeStart 10.0.1.5 is not in subnet 10.0.0.0/24");
        assertInvalid(oneRange("subnet", "10.0.0.0/24", "rangeEnd", "10.0.0.255"),
                "ipam.ranges[0][0]: rangeEnd 10.0.0.255 is the broadcast address of 10.0.0.0/24");
        assertInvalid(oneRange("subnet", "10.0.0.0/24", "rangeStart", "10.0.0.0"),
                "ipam.ranges[0][0]: rangeStart 10.0.0.0 is the network address of 10.0.0.0/24");
        assertInvalid(oneRange("subnet", "10.0.0.0/24", "rangeStart", "10.0.0.9", "rangeEnd", "10.0.0.8"),
                "ipam.ranges[0][0]: rangeStart 10.0.0.9 is after rangeEnd 10.0.0.8");
        assertInvalid(oneRange("subnet", "10.0.0.0/24", "gateway", "fd00::1"),
                "ipam.ranges[0][0]: gateway fd00::1 is not in subnet 10.0.0.0/24");
        assertInvalid(oneRange("subnet", "10.0.0.0/24", "rangeStart", "10.0.0.1", "rangeEnd", "10.0.0.1"),
                "range 10.0.0.0/24 10.0.0.1-10.0.0.1 gw 10.0.0.1 has no address to hand out besides its gateway and excluded addresses");
        assertInvalid(Map.of("ranges", List.of(List.of(range("subnet", "10.0.0.0/24")), List.of(range("subnet", "10.0.0.0/16")))),
                "range 10.0.0.0/16 10.0.0.1-10.0.255.254 gw 10.0.0.1 overlaps range 10.0.0.0/24 10.0.0.1-10.0.0.254 gw 10.0.0.1");
        assertInvalid(Map.of("ranges", List.of(List.of(range("subnet", "10.0.0.0/24"), range("subnet", "fd00::/64")))),
                "range set 0 mixes IPv4 and IPv6: [10.0.0.0/24 10.0.0.1-10.0.0.254 gw 10.0.0.1, fd00::/64 fd00::1-fd00::ffff:ffff:ffff:ffff gw fd00::1]");
        assertInvalid(Map.of("ranges", "10.0.0.0/24"), "ipam.ranges must be an array, not a string");
        assertInvalid(Map.of("ranges", List.of(List.of())), "ipam.ranges[0] is an empty range set");
        assertInvalid(Map.of("ranges", List.of(List.of("10.0.0.0/24"))), "ipam.ranges[0][0] must be an object, not a string");
        assertInvalid(Map.of("ranges", List.of(List.of(Map.of("subnet", 10L)))), "ipam.ranges[0][0].subnet must be a string, not a number");
        assertInvalid(with(subnets("10.0.0.0/24"), "exclude", List.of("10.0.0.300")), "ipam.exclude[0]: invalid IP address \"10.0.0.300\"");
        assertInvalid(with(subnets("10.0.0.0/30"), "exclude", List.of("10.0.0.2")),
                "range 10.0.0.0/30 10.0.0.1-10.0.0.2 gw 10.0.0.1 has no address to hand out besides its gateway and excluded addresses");
        assertInvalid(with(subnets("10.0.0.0/24"), "routes", List.of(Map.of("gw", "10.0.0.1"))), "ipam.routes[0].dst is missing");
        assertInvalid(with(subnets("10.0.0.0/24"), "routes", List.of(Map.of("dst", "0.0.0.0/0", "gw", "fd00::1"))),
                "route 0.0.0.0/0: gateway fd00::1 is of the other family");
        assertInvalid(with(subnets("10.0.0.0/24"), "resolvConf", "/nonexistent/resolv.conf"),
                "ipam.resolvConf: cannot read /nonexistent/resolv.conf: no such file");
        assertInvalid(with(subnets("10.0.0.0/24"), "dataDir", "/a\0b"), "ipam.dataDir: Nul character not allowed: /a\0b");
    }

    @Test
    void aSmallSubnetStillWorks() throws IpamException {
        IpamConfig c = Configs.config("10.0.0.0/30");
        assertEquals("10.0.0.0/30 10.0.0.1-10.0.0.2 gw 10.0.0.1", c.rangeSets().get(0).ranges().get(0).toString());
    }

    @Test
    void requestedAddressesMayCarryAPrefix() throws IpamException {
        assertEquals(Ip.parse("10.0.0.5").toInet(), IpamConfig.requestedAddress("10.0.0.5/24", "runtimeConfig.ips[0]"));
        IpamException e = assertThrows(IpamException.class,
                () -> IpamConfig.requestedAddress("10.0.0.5/40", "runtimeConfig.ips[0]"));
        assertEquals("runtimeConfig.ips[0]: invalid CIDR \"10.0.0.5/40\" (bad prefix length)", e.getMessage());
    }

    private static Map<String, Object> oneRange(String... keyValues) {
        return Map.of("ranges", List.of(List.of(range(keyValues))));
    }

    private static void assertInvalid(Map<String, Object> ipam, String message) {
        IpamException e = assertThrows(IpamException.class, () -> IpamConfig.parse(ipam));
        assertEquals(IpamException.Reason.INVALID_CONFIG, e.reason());
        assertEquals(message, e.getMessage());
    }
}
