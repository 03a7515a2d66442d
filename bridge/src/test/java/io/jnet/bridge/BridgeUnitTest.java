package io.jnet.bridge;

import io.jnet.cni.CniException;
import io.jnet.cni.ErrorCode;
import io.jnet.cni.IpPrefix;
import io.jnet.cni.NetConf;
import io.jnet.kernel.nft.Bytes;
import io.jnet.kernel.nft.Datatype;
import io.jnet.kernel.nft.Element;
import io.jnet.kernel.nft.Family;
import io.jnet.kernel.nft.NftSet;
import io.jnet.kernel.nft.SetType;
import io.jnet.kernel.nft.Table;
import io.jnet.kernel.nft.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bridge driver's pure parts, without root: config, port mappings, element encoding and decoding, names. */
class BridgeUnitTest {

    private static final Path ROOT = Path.of("/nonexistent/jnet");

    private static BridgeConf parse(Map<String, Object> extra) throws CniException {
        Map<String, Object> raw = new LinkedHashMap<>(Map.of("cniVersion", "1.1.0", "name", "n1",
                "type", "jnet-bridge", "ipam", Map.of("type", "jnet-ipam")));
        raw.putAll(extra);
        return BridgeConf.parse(NetConf.of(raw), ROOT);
    }

    @Test
    void configDefaultsFollowDockerNotTheReferencePlugin() throws CniException {
        BridgeConf c = parse(Map.of());
        assertEquals("jnet0", c.bridge());
        assertTrue(c.isGateway() && c.isDefaultGateway() && c.ipMasq() && c.hairpinMode() && c.icc());
        assertFalse(c.internal() || c.promiscMode() || c.forceAddress());
        assertEquals(ROOT, c.root());
        assertEquals(Path.of("/srv/j"), parse(Map.of("dataDir", "/srv/j")).root());
        // an internal network masquerades nothing; a default gateway implies a gateway
        assertFalse(parse(Map.of("internal", true)).ipMasq());
        assertTrue(parse(Map.of("isGateway", false)).isGateway());
        assertFalse(parse(Map.of("isGateway", false, "isDefaultGateway", false)).isGateway());
        assertNull(parse(Map.of("hostBindingIp", "0.0.0.0")).hostBindingIp());
    }

    @Test
    void configRefusalsAreCode7() {
        for (Map<String, Object> bad : List.<Map<String, Object>>of(Map.of("bridge", "has space"),
                Map.of("bridge", "a-name-longer-than-15"), Map.of("mtu", 67L), Map.of("mtu", 65536L),
                Map.of("ipam", Map.of()), Map.of("ipam", Map.of("type", "../host-local")))) {
            CniException e = assertThrows(CniException.class, () -> parse(bad), bad.toString());
            assertEquals(ErrorCode.INVALID_CONFIG, e.code(), bad + ": " + e.getMessage());
        }
    }

    @Test
    void portMappingsParseAndRefuseTwoClaimsOnOneHostPort() throws Exception {
        Map<String, Object> tcp = Map.of("hostPort", 8080L, "containerPort", 80L);
        Map<String, Object> pinned = Map.of("hostPort", 8080L, "containerPort", 81L, "hostIP", "127.0.0.1");
        Map<String, Object> udp = Map.of("hostPort", 8080L, "containerPort", 80L, "protocol", "UDP");
        List<PortMapping> parsed = PortMapping.parseAll(List.of(tcp, udp), null);
        assertEquals(List.of(new PortMapping("tcp", 8080, 80, null), new PortMapping("udp", 8080, 80, null)), parsed);
        assertEquals("8080/tcp", parsed.get(0).hostText());
        // a wildcard and a pinned IPv4 address claim the same IPv4 port
        CniException clash = assertThrows(CniException.class, () -> PortMapping.parseAll(List.of(tcp, pinned), null));
        assertEquals(ErrorCode.INVALID_CONFIG, clash.code());
        PortMapping v6 = new PortMapping("tcp", 8080, 80, InetAddress.getByName("::1"));
        assertFalse(v6.appliesTo(true));
        assertTrue(v6.appliesTo(false));
        assertFalse(v6.overlaps(new PortMapping("tcp", 8080, 80, InetAddress.getByName("127.0.0.1"))));
        assertEquals("::1:8080/tcp", v6.hostText());
        // the config's hostBindingIp is the default host address; 0.0.0.0 means every address
        InetAddress binding = InetAddress.getByName("198.18.0.1");
        assertEquals(binding, PortMapping.parseAll(List.of(tcp), binding).get(0).hostIp());
        assertNull(PortMapping.parseAll(List.of(Map.of("hostPort", 1L, "containerPort", 1L, "hostIP", "0.0.0.0")),
                binding).get(0).hostIp());
        assertThrows(CniException.class, () -> PortMapping.parseAll(List.of(Map.of("hostPort", 0L,
                "containerPort", 80L)), null));
        assertThrows(CniException.class, () -> PortMapping.parseAll(List.of(Map.of("hostPort", 80L,
                "containerPort", 80L, "protocol", "icmp")), null));
    }

    @Test
    void publishedPortsAreOneElementPerMappingAndFamily() throws Exception {
        Firewall.Network net = new Firewall.Network("n1", "br1", List.of(IpPrefix.parse("10.1.0.0/24")), true, false,
                false, false);
        InetAddress v4 = InetAddress.getByName("10.1.0.2");
        InetAddress v6 = InetAddress.getByName("fd00::2");
        Firewall.Publication p = new Firewall.Publication("c/eth0", "jv1", "02:42:0a:01:00:02", List.of(v4, v6),
                List.of(new PortMapping("tcp", 8080, 80, null),
                        new PortMapping("udp", 53, 5353, InetAddress.getByName("198.18.0.1"))));
        Map<NftSet, List<Element>> elements = NftFirewall.elements(net, p);
        Map<String, List<Element>> byName = new LinkedHashMap<>();
        elements.forEach((set, list) -> byName.put(set.name(), list));
        assertEquals(List.of("icc_off", "pub4", "pub6", "pub4host"), List.copyOf(byName.keySet()));
        assertEquals(List.of(Element.of(Bytes.concat(Bytes.u8(6), Bytes.be16(8080)),
                Bytes.concat(Bytes.address(v4), Bytes.be16(80)))), byName.get("pub4"));
        assertEquals(List.of(Element.of(Bytes.concat(Bytes.address(InetAddress.getByName("198.18.0.1")), Bytes.u8(17),
                Bytes.be16(53)), Bytes.concat(Bytes.address(v4), Bytes.be16(5353)))), byName.get("pub4host"));
        assertEquals(List.of(Element.of(Bytes.concat(Bytes.ifname("jv1"),
                Bytes.of((byte) 2, (byte) 0x42, (byte) 10, (byte) 1, (byte) 0, (byte) 2)))), byName.get("icc_off"));
        // with br_netfilter icc=false is a forward rule, and no element
        Firewall.Network brNf = new Firewall.Network("n1", "br1", List.of(), true, false, false, true);
        assertFalse(NftFirewall.elements(brNf, p).keySet().stream().anyMatch(s -> s.name().equals("icc_off")));
    }

    @Test
    void elementsDecodeByTheirSetsTypes() {
        Table table = new Table(Family.INET, "jnet");
        NftSet pub4host = NftSet.map(table, "pub4host",
                SetType.of(Datatype.IPV4_ADDR, Datatype.INET_PROTO, Datatype.INET_SERVICE),
                SetType.of(Datatype.IPV4_ADDR, Datatype.INET_SERVICE));
        Element e = Element.of(Bytes.concat(Bytes.address(IpPrefix.parseAddress("198.18.0.1")), Bytes.u8(6),
                Bytes.be16(9090)), Bytes.concat(Bytes.address(IpPrefix.parseAddress("10.1.0.2")), Bytes.be16(90)));
        FirewallElement entry = FirewallElement.decode(table, pub4host, e);
        assertEquals("198.18.0.1 . tcp . 9090 : 10.1.0.2 . 90", entry.text());
        assertEquals(Map.of("table", "inet jnet", "set", "pub4host", "element", entry.text()), entry.toJson());
        assertTrue(entry.mentions(List.of("10.1.0.2")));
        assertFalse(entry.mentions(List.of("10.1.0.20")));

        NftSet vmap = NftSet.verdictMap(table, "fwd_in", SetType.of(Datatype.IFNAME));
        assertEquals("jnet0 : jump fwd-in-bridge", FirewallElement.decode(table, vmap,
                Element.of(Bytes.ifname("jnet0"), Verdict.jump("fwd-in-bridge"))).text());
        NftSet icc = NftSet.set(new Table(Family.BRIDGE, "jnet"), "icc_off",
                SetType.of(Datatype.IFNAME, Datatype.ETHER_ADDR));
        assertEquals("jv0123 . 02:42:0a:01:00:02", FirewallElement.decode(table, icc, Element.of(Bytes.concat(
                Bytes.ifname("jv0123"), Bytes.of((byte) 2, (byte) 0x42, (byte) 10, (byte) 1, (byte) 0, (byte) 2))))
                .text());
        assertEquals("udp . 53", FirewallElement.decode(table, NftSet.set(table, "s",
                SetType.of(Datatype.INET_PROTO, Datatype.INET_SERVICE)), Element.of(Bytes.concat(Bytes.u8(17),
                Bytes.be16(53)))).text());
    }

    @Test
    void hostVethNamesAreStableShortAndDistinct() {
        String name = BridgePlugin.hostVethName("bridge", "c1", "eth0");
        assertEquals(name, BridgePlugin.hostVethName("bridge", "c1", "eth0"));
        assertTrue(name.matches("jv[0-9a-f]{12}"), name);
        assertTrue(name.length() <= 15);
        assertNotEquals(name, BridgePlugin.hostVethName("bridge", "c1", "eth1"));
        assertNotEquals(name, BridgePlugin.hostVethName("other", "c1", "eth0"));
        // the separator keeps ("a", "bc") and ("ab", "c") apart
        assertNotEquals(BridgePlugin.hostVethName("n", "a", "bc"), BridgePlugin.hostVethName("n", "ab", "c"));
    }

    @Test
    void aDamagedRecordsNameStillSaysWhoseItWas() {
        EndpointStore.Damaged d = EndpointStore.Damaged.of(Path.of("/r/bridge/n/c1@eth0.json"), "bad");
        assertEquals("c1", d.containerId());
        assertEquals("eth0", d.ifName());
        assertTrue(d.isDerivable());
        assertFalse(EndpointStore.Damaged.of(Path.of("/r/bridge/n/junk.json"), "bad").isDerivable());
        assertFalse(EndpointStore.Damaged.of(Path.of("/r/bridge/n/@eth0.json"), "bad").isDerivable());
    }

    @Test
    void aRecordSurvivesARewriteAnEmptyOneIsNoneAndGarbageIsReported(@TempDir Path root) throws Exception {
        EndpointStore store = new EndpointStore(root);
        Endpoint e = new Endpoint("n", "c1", "eth0", "/proc/1/ns/net", "jnet0", "veth1", "02:00:00:00:00:01",
                List.of(IpPrefix.parse("10.1.0.2/24", "t")), List.of(), null);
        store.save(e);
        store.save(e);
        assertEquals(e.toJson().length, java.nio.file.Files.readAllBytes(root.resolve("bridge/n/c1@eth0.json")).length);
        assertEquals("veth1", store.load("n", "c1", "eth0").hostVeth());
        // what a power loss can leave of a first save: DEL then derives what to remove, as with no record
        java.nio.file.Files.write(root.resolve("bridge/n/c1@eth0.json"), new byte[0]);
        assertNull(store.load("n", "c1", "eth0"));
        java.nio.file.Files.writeString(root.resolve("bridge/n/c1@eth0.json"), "{\"network\":");
        assertThrows(CniException.class, () -> store.load("n", "c1", "eth0"));
        assertTrue(store.delete("n", "c1", "eth0"));
        assertNull(store.load("n", "c1", "eth0"));
        assertFalse(store.delete("n", "c1", "eth0"));
    }

    @Test
    void anEndpointRecordKeepsItsFirewallPolicyAndOverlayForTheHealer() throws CniException {
        Firewall.Overlay overlay = new Firewall.Overlay(IpPrefix.parse("10.100.0.0/16", "t"), "jv-ov");
        Endpoint e = new Endpoint("ov", "c1", "eth0", "/proc/1/ns/net", "jo-ov", "veth1", "02:00:00:00:00:01",
                List.of(IpPrefix.parse("10.100.1.2/24", "t")), List.of(), null)
                .withPolicy(new Endpoint.Policy(true, false, false, overlay));

        Endpoint read = Endpoint.fromJson(e.toJson());

        assertEquals(new Endpoint.Policy(true, false, false, overlay), read.policy());
        assertEquals(read.policy(), read.withPorts(List.of()).policy(), "publishing ports dropped the policy");
        assertNull(Endpoint.fromJson(new Endpoint("n", "c", "eth0", "", "br", "v", "", List.of(), List.of(), null)
                .toJson()).policy());
    }
}
