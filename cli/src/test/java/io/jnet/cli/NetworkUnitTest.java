package io.jnet.cli;

import io.jnet.cni.IpPrefix;
import io.jnet.cni.Json;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The parts of jnet network that need no kernel: flags, pools, the plugin config, element decoding. */
class NetworkUnitTest {

    private static Networks.CreateRequest request(List<String> subnets, List<String> gateways, List<String> ranges,
                                                  boolean ipv6, Map<String, String> options) {
        return NetworkCommand.request("n", subnets, gateways, ranges, ipv6, false, options);
    }

    @Test
    void flagsBecomeSubnetsWithDockersDefaults() {
        Networks.CreateRequest r = request(List.of("fd00:1::/64", "10.1.0.0/16"), List.of("10.1.255.254"),
                List.of("10.1.5.0/24"), false, Map.of("com.docker.network.bridge.enable_icc", "false",
                        "mtu", "1400"));
        assertEquals(2, r.subnets().size());
        NetworkConfig.SubnetConfig v4 = r.subnets().get(0);
        assertEquals("10.1.0.0/16", v4.subnet().toString(), "IPv4 first");
        assertEquals("10.1.255.254", IpPrefix.formatAddress(v4.gateway()));
        assertEquals("10.1.5.0/24", v4.ipRange().toString());
        NetworkConfig.SubnetConfig v6 = r.subnets().get(1);
        assertEquals("fd00:1::1", IpPrefix.formatAddress(v6.gateway()), "the first address is the gateway");
        assertTrue(r.ipv6(), "an IPv6 subnet implies --ipv6");
        assertFalse(r.icc());
        assertEquals(1400, r.mtu());
        assertEquals(Map.of("icc", "false", "mtu", "1400"), r.options(), "Docker's long names are normalised");
    }

    @Test
    void theIssuesShortNamesInternalAndBridgeAreOptionsToo() {
        Networks.CreateRequest r = request(List.of(), List.of(), List.of(), false, Map.of("internal", "1",
                "bridge", "br-quiet", "icc", "false"));
        assertTrue(r.internal(), "-o internal=1 is --internal");
        assertEquals("br-quiet", r.bridge());
        assertFalse(r.icc());
        assertEquals(Map.of("internal", "true", "bridge.name", "br-quiet", "icc", "false"), r.options());
        assertFalse(request(List.of(), List.of(), List.of(), false, Map.of("internal", "false")).internal());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NetworkCommand.request("n",
                List.of(), List.of(), List.of(), false, true, Map.of("internal", "false")));
        assertEquals("--internal and -o internal=false contradict", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> request(List.of(), List.of(), List.of(), false,
                Map.of("colour", "blue")));
        assertTrue(e.getMessage().startsWith("unknown option -o colour (expected icc, internal,"), e.getMessage());
    }

    @Test
    void badFlagsAreUsageErrorsNamingTheProblem() {
        Object[][] cases = {
                {"has host bits set; the network is 10.1.0.0/16", List.of("10.1.2.3/16"), List.of(), List.of()},
                {"once per address family", List.of("10.1.0.0/16", "10.2.0.0/16"), List.of(), List.of()},
                {"need the --subnet", List.of(), List.of("10.1.0.1"), List.of()},
                {"is not inside any --subnet", List.of("10.1.0.0/16"), List.of("10.2.0.1"), List.of()},
                {"is not inside any --subnet", List.of("10.1.0.0/16"), List.of(), List.of("10.0.0.0/8")},
                {"two gateways", List.of("10.1.0.0/16"), List.of("10.1.0.1", "10.1.0.2"), List.of()},
                {"too small", List.of("10.1.0.0/31"), List.of(), List.of()},
                {"broadcast address", List.of("10.1.0.0/24"), List.of("10.1.0.255"), List.of()},
        };
        for (Object[] c : cases) {
            @SuppressWarnings("unchecked")
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> request(
                    (List<String>) c[1], (List<String>) c[2], (List<String>) c[3], false, Map.of()));
            assertTrue(e.getMessage().contains((String) c[0]), c[0] + ": " + e.getMessage());
        }
        for (Map<String, String> bad : List.of(Map.of("bogus", "1"), Map.of("icc", "maybe"), Map.of("mtu", "67"),
                Map.of("bridge.name", "sixteen-bytes-xx"), Map.of("ip-masquerade", "no"),
                Map.of("com.docker.network.bridge.host_binding_ipv4", "localhost"))) {
            assertThrows(IllegalArgumentException.class, () -> request(List.of(), List.of(), List.of(), false, bad),
                    bad.toString());
        }
        assertThrows(IllegalArgumentException.class, () -> NetworkCommand.request("a/b", List.of(), List.of(),
                List.of(), false, false, Map.of()));
    }

    @Test
    void masqueradeAndTheHostBindingAddressAreOptionsThatReachThePluginConfig() throws Exception {
        Networks.CreateRequest r = request(List.of("10.1.0.0/24"), List.of(), List.of(), false, Map.of(
                "com.docker.network.bridge.enable_ip_masquerade", "false",
                "com.docker.network.bridge.host_binding_ipv4", "198.18.0.1"));
        assertEquals(Map.of("ip-masquerade", "false", "host-binding-ip", "198.18.0.1"), r.options());
        NetworkConfig n = new NetworkConfig("n", "ab".repeat(32), "jtbr0", r.subnets(), false, true, 0, r.options(),
                Instant.parse("2026-01-01T00:00:00Z"));
        Map<String, Object> fields = n.pluginFields(Path.of("/var/lib/jt"));
        assertEquals(false, fields.get("ipMasq"));
        assertEquals("198.18.0.1", fields.get("hostBindingIp"));
        assertEquals("198.18.0.1", NetworkConfig.fromJson(Json.parseObject(Json.writeBytes(n.toJson())), "n.json")
                .pluginFields(Path.of("/x")).get("hostBindingIp"), "kept in the stored definition");
        assertEquals("jnet", n.toJson().get("owner"));
        NetworkConfig dockers = new NetworkConfig("n", "ab".repeat(32), "jtbr0", r.subnets(), false, true, 0,
                Map.of(DockerNetworks.OWNER, DockerNetworks.DOCKER), Instant.parse("2026-01-01T00:00:00Z"));
        assertEquals("docker", dockers.toJson().get("owner"));
    }

    @Test
    void poolsAreDockersAndSkipWhatIsTaken() {
        List<IpPrefix> all = AddressPools.candidates(AddressPools.IPV4);
        assertEquals(15 + 16, all.size(), "172.17-172.31 in /16s, 192.168.0.0/16 in /20s");
        assertEquals("172.17.0.0/16", all.get(0).toString());
        assertEquals("172.31.0.0/16", all.get(14).toString());
        assertEquals("192.168.240.0/20", all.get(30).toString());
        assertEquals("172.17.0.0/16", AddressPools.ipv4(true, List.of()).orElseThrow().toString());
        assertEquals("172.18.0.0/16", AddressPools.ipv4(false, List.of()).orElseThrow().toString(),
                "172.17.0.0/16 is left to the default network");
        assertEquals("172.20.0.0/16", AddressPools.ipv4(false, List.of(IpPrefix.parse("172.18.0.0/15")))
                .orElseThrow().toString(), "a route over two pools skips both");
        assertEquals("172.19.0.0/16", AddressPools.ipv4(false, List.of(IpPrefix.parse("172.18.3.0/24")))
                .orElseThrow().toString(), "a route inside a pool skips it");
        assertEquals("192.168.16.0/20", AddressPools.ipv4(false, List.of(IpPrefix.parse("172.16.0.0/12"),
                IpPrefix.parse("192.168.0.1/32"))).orElseThrow().toString());
        assertTrue(AddressPools.ipv4(false, List.of(IpPrefix.parse("0.0.0.0/1"), IpPrefix.parse("128.0.0.0/1")))
                .isEmpty());
        IpPrefix ula = AddressPools.ipv6(List.of()).orElseThrow();
        assertEquals(64, ula.prefixLength());
        assertTrue(IpPrefix.parse("fd00::/8").contains(ula.address()), ula.toString());
        assertTrue(AddressPools.ipv6(List.of(IpPrefix.parse("fd00::/8"))).isEmpty());
    }

    @Test
    void overlapIsSymmetricAndPerFamily() {
        assertTrue(NetworkConfig.overlaps(IpPrefix.parse("10.0.0.0/8"), IpPrefix.parse("10.1.2.0/24")));
        assertTrue(NetworkConfig.overlaps(IpPrefix.parse("10.1.2.0/24"), IpPrefix.parse("10.0.0.0/8")));
        assertFalse(NetworkConfig.overlaps(IpPrefix.parse("10.1.2.0/24"), IpPrefix.parse("10.1.3.0/24")));
        assertFalse(NetworkConfig.overlaps(IpPrefix.parse("0.0.0.0/0"), IpPrefix.parse("::/0")));
    }

    @Test
    void thePluginConfigIsJnetBridgeWithTheRangesAndTheStateRoot() throws Exception {
        NetworkConfig n = new NetworkConfig("n", "ab".repeat(32), "jtbr0", List.of(
                new NetworkConfig.SubnetConfig(IpPrefix.parse("10.1.0.0/24"), IpPrefix.parseAddress("10.1.0.1"),
                        IpPrefix.parse("10.1.0.0/25")),
                new NetworkConfig.SubnetConfig(IpPrefix.parse("fd00:1::/64"), IpPrefix.parseAddress("fd00:1::1"),
                        null)), true, false, 1400, Map.of("icc", "false"), Instant.parse("2026-01-01T00:00:00Z"));
        Map<String, Object> fields = n.pluginFields(Path.of("/var/lib/jt"));
        assertEquals(false, fields.get("ipMasq"), "internal: nothing to masquerade");
        assertEquals("/var/lib/jt", fields.get("dataDir"));
        Map<String, Object> first = new LinkedHashMap<>();
        first.put("subnet", "10.1.0.0/24");
        first.put("gateway", "10.1.0.1");
        first.put("rangeStart", "10.1.0.1");
        first.put("rangeEnd", "10.1.0.127");
        assertEquals(Map.of("type", "jnet-ipam", "ranges", List.of(List.of(first),
                List.of(Map.of("subnet", "fd00:1::/64", "gateway", "fd00:1::1")))), fields.get("ipam"));
        // stored and read back the same
        assertEquals(n, NetworkConfig.fromJson(Json.parseObject(Json.writeBytes(n.toJson())), "n.json"));
    }
}
