package io.jnet.kernel.rtnl;

import io.jnet.kernel.netlink.Nl;
import io.jnet.kernel.netlink.NlMessage;
import io.jnet.kernel.netlink.NlWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Our encoders against the requests iproute2 sends (src/test/resources/golden/rtnl/*.hex, written by
 * golden/capture-rtnl.sh; each file's comments say how it was captured and where we deliberately differ). The
 * sequence number and port id are ours to choose, so the header is compared by type and flags, and the payload
 * after the 16-byte header byte for byte.
 */
class RtnlGoldenTest {

    /** The descriptor number ip had open for the other namespace when the captures were made. */
    private static final int CAPTURED_NETNS_FD = 4;

    static Stream<Arguments> messages() {
        return Stream.of(
                golden("getlink-name", w -> RtnlCodec.getLink(w, "veth1")),
                golden("getlink-index", w -> RtnlCodec.getLink(w, 2)),
                golden("getlink-dump", RtnlCodec::dumpLinks),
                golden("newlink-bridge", w -> RtnlCodec.newLink(w, LinkSpec.bridge("br0").withMtu(1400)
                        .withMac(MacAddress.parse("02:42:ac:11:00:01")), RtnlCodec.NO_FD, true)),
                golden("newlink-bridge-plain", w -> RtnlCodec.newLink(w, LinkSpec.bridge("br0"), RtnlCodec.NO_FD, false)),
                golden("newlink-veth-peer-netns", w -> RtnlCodec.newLink(w, LinkSpec.veth("veth1", "eth0").withMtu(1400)
                        .withMac(MacAddress.parse("02:00:00:00:00:01")).withPeerMac(MacAddress.parse("02:00:00:00:00:02")),
                        CAPTURED_NETNS_FD, true)),
                golden("newlink-veth", w -> RtnlCodec.newLink(w, LinkSpec.veth("v0", "v1"), RtnlCodec.NO_FD, true)),
                golden("newlink-dummy", w -> RtnlCodec.newLink(w, LinkSpec.dummy("dm0").withMtu(1400)
                        .withMac(MacAddress.parse("02:00:00:00:00:0d")), RtnlCodec.NO_FD, true)),
                golden("setlink-up", w -> RtnlCodec.setFlags(w, 4, Link.IFF_UP, Link.IFF_UP)),
                golden("setlink-down", w -> RtnlCodec.setFlags(w, 4, 0, Link.IFF_UP)),
                golden("setlink-master", w -> RtnlCodec.setMaster(w, 4, 3)),
                golden("setlink-nomaster", w -> RtnlCodec.setMaster(w, 4, 0)),
                golden("setlink-mtu", w -> RtnlCodec.setMtu(w, 4, 1300)),
                golden("setlink-address", w -> RtnlCodec.setMac(w, 4, MacAddress.parse("02:00:00:00:00:03"))),
                golden("setlink-name", w -> RtnlCodec.rename(w, 6, "v2")),
                golden("setlink-netns", w -> RtnlCodec.moveToNetns(w, 6, CAPTURED_NETNS_FD)),
                golden("setlink-brport", w -> RtnlCodec.setBridgePort(w, 4, brport())),
                golden("dellink-index", w -> RtnlCodec.deleteLink(w, 3)),
                golden("dellink-name", w -> RtnlCodec.deleteLink(w, "v1")),
                golden("newaddr-v4", w -> RtnlCodec.newAddress(w, V4_ADDRESS.withBroadcast(ip("10.233.5.255")))),
                golden("newaddr-v6-nodad", w -> RtnlCodec.newAddress(w, V6_ADDRESS)),
                golden("deladdr-v4", w -> RtnlCodec.deleteAddress(w, V4_ADDRESS)),
                golden("getaddr-dump", RtnlCodec::dumpAddresses),
                golden("newroute-v4-default-onlink", w -> RtnlCodec.newRoute(w, V4_DEFAULT, false)),
                golden("newroute-v4-link-metrics", w -> RtnlCodec.newRoute(w, V4_LINK_METRICS, false)),
                golden("newroute-v4-table1000", w -> RtnlCodec.newRoute(w,
                        Route.link(ip("10.233.8.0"), 24, 2).withTable(1000), false)),
                golden("newroute-v6-replace-default", w -> RtnlCodec.newRoute(w, V6_DEFAULT, true)),
                golden("delroute-v4-default", w -> RtnlCodec.deleteRoute(w, V4_DEFAULT.withOnlink(false))),
                golden("getroute-dump-v4", w -> RtnlCodec.dumpRoutes(w, Family.INET)),
                golden("getroute-dump-v6", w -> RtnlCodec.dumpRoutes(w, Family.INET6)),
                golden("newlink-vxlan", w -> RtnlCodec.newLink(w, VXLAN, RtnlCodec.NO_FD, true)),
                golden("newlink-vxlan6", w -> RtnlCodec.newLink(w, VXLAN6, RtnlCodec.NO_FD, true)),
                golden("newneigh-v4-permanent", w -> NeighCodec.replaceNeighbour(w, PEER_VTEP)),
                golden("newneigh-v6-permanent", w -> NeighCodec.replaceNeighbour(w, PEER_VTEP6)),
                golden("getneigh-dump-dev", w -> NeighCodec.dumpNeighbours(w, 4)),
                golden("delneigh-v4", w -> NeighCodec.deleteNeighbour(w, PEER_VTEP)),
                golden("newfdb-append", w -> NeighCodec.appendFdb(w, PEER_FDB)),
                golden("newfdb-replace", w -> NeighCodec.replaceFdb(w, PEER_FDB)),
                golden("getfdb-dump-dev", w -> NeighCodec.dumpFdb(w, 4)),
                golden("delfdb", w -> NeighCodec.deleteFdb(w, PEER_FDB)),
                golden("newroute-v4-replace-via-onlink", w -> RtnlCodec.newRoute(w, PEER_ROUTE, true)));
    }

    private static final Address V4_ADDRESS = Address.of(2, ip("10.233.5.2"), 24);
    private static final Address V6_ADDRESS = Address.of(2, ip("fd00:233:5::2"), 64).withFlags(Address.IFA_F_NODAD);
    private static final Route V4_DEFAULT = Route.defaultVia(ip("10.233.5.1"), 2).withMetric(100).withOnlink(true);
    private static final Route V4_LINK_METRICS = Route.link(ip("10.233.6.0"), 24, 2).withTable(100).withMtu(1400)
            .withAdvmss(1360);
    private static final Route V6_DEFAULT = Route.defaultVia(ip("fd00:233:5::1"), 2).withMetric(1024);

    // flannel's vxlan model as capture-rtnl.sh sets it up: vx0 is link 4, the underlay link 3
    private static final LinkSpec.Vxlan VXLAN = LinkSpec.vxlan("vx0", VxlanInfo.of(42).withLocal(ip("198.18.0.1"))
            .withUnderlay(3)).withMtu(1450).withMac(MacAddress.parse("02:00:00:00:00:0a"));
    private static final LinkSpec.Vxlan VXLAN6 = LinkSpec.vxlan("vx6", VxlanInfo.of(43).withLocal(ip("fd00:198:18::1")));
    private static final MacAddress PEER_MAC = MacAddress.parse("02:00:00:00:00:0b");
    private static final Neighbour PEER_VTEP = Neighbour.permanent(4, ip("10.244.2.0"), PEER_MAC);
    private static final Neighbour PEER_VTEP6 = Neighbour.permanent(4, ip("fd00:244:2::"), PEER_MAC);
    private static final FdbEntry PEER_FDB = FdbEntry.vxlanPeer(4, PEER_MAC, ip("198.18.0.2"));
    private static final Route PEER_ROUTE = Route.via(ip("10.244.2.0"), 24, ip("10.244.2.0"), 4).withOnlink(true);

    private static Map<BridgePortFlag, Boolean> brport() {
        Map<BridgePortFlag, Boolean> m = new EnumMap<>(BridgePortFlag.class);
        m.put(BridgePortFlag.ISOLATED, false);
        m.put(BridgePortFlag.HAIRPIN, true);
        m.put(BridgePortFlag.LEARNING, true);
        return m;
    }

    private static Arguments golden(String name, Consumer<NlWriter> encoder) {
        return Arguments.of(name, encoder);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messages")
    void encoderMatchesGolden(String name, Consumer<NlWriter> encoder) {
        NlMessage expected = load(name);
        NlWriter w = new NlWriter(1);
        encoder.accept(w);
        List<NlMessage> ours = NlMessage.parseAll(ByteBuffer.wrap(w.toByteArray()));
        assertEquals(1, ours.size(), "one message");
        NlMessage actual = ours.get(0);
        assertEquals(expected.type(), actual.type(), "nlmsg_type");
        assertEquals(hexFlags(expected.flags()), hexFlags(actual.flags()), "nlmsg_flags");
        assertEquals(hex(expected.payload()), hex(actual.payload()), "payload after the header");
    }

    @Test
    void everyGoldenFileIsChecked() throws IOException, URISyntaxException {
        Path dir = Path.of(RtnlGoldenTest.class.getResource("/golden/rtnl").toURI());
        Set<String> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".hex"))
                    .map(n -> n.substring(0, n.length() - 4)).collect(Collectors.toCollection(TreeSet::new));
        }
        Set<String> checked = messages().map(a -> (String) a.get()[0]).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(files, checked);
    }

    @Test
    void decodersReadWhatTheEncodersWrite() {
        // requests and dump replies share the layout: ifaddrmsg/rtmsg and the same attributes
        assertEquals(V4_ADDRESS.withBroadcast(ip("10.233.5.255")), RtnlCodec.decodeAddress(load("newaddr-v4")));
        assertEquals(V6_ADDRESS, RtnlCodec.decodeAddress(load("newaddr-v6-nodad")));
        assertEquals(V4_DEFAULT, RtnlCodec.decodeRoute(load("newroute-v4-default-onlink")));
        assertEquals(V4_LINK_METRICS, RtnlCodec.decodeRoute(load("newroute-v4-link-metrics")));
        assertEquals(V6_DEFAULT, RtnlCodec.decodeRoute(load("newroute-v6-replace-default")));

        assertEquals(PEER_ROUTE, RtnlCodec.decodeRoute(load("newroute-v4-replace-via-onlink")));
        assertEquals(PEER_VTEP, NeighCodec.decodeNeighbour(load("newneigh-v4-permanent")));
        assertEquals(PEER_VTEP6, NeighCodec.decodeNeighbour(load("newneigh-v6-permanent")));
        assertEquals(PEER_FDB, NeighCodec.decodeFdb(load("newfdb-replace")));

        Link vxlan = RtnlCodec.decodeLink(load("newlink-vxlan"));
        assertEquals("vxlan", vxlan.kind());
        assertEquals(Optional.of(VXLAN.info()), vxlan.vxlan());
        assertEquals(Optional.of(VXLAN6.info()), RtnlCodec.decodeLink(load("newlink-vxlan6")).vxlan());

        Link veth = RtnlCodec.decodeLink(load("newlink-veth-peer-netns"));
        assertEquals("veth1", veth.name());
        assertEquals("veth", veth.kind());
        assertEquals(1400, veth.mtu());
        assertEquals(Optional.of(MacAddress.parse("02:00:00:00:00:01")), veth.macAddress());
        assertEquals(Optional.empty(), veth.vxlan());
    }

    static NlMessage load(String name) {
        try (InputStream in = RtnlGoldenTest.class.getResourceAsStream("/golden/rtnl/" + name + ".hex")) {
            assertNotNull(in, "golden file " + name + ".hex");
            String hex = new String(in.readAllBytes(), StandardCharsets.US_ASCII).lines()
                    .filter(l -> !l.startsWith("#")).collect(Collectors.joining()).replaceAll("\\s", "");
            List<NlMessage> messages = NlMessage.parseAll(ByteBuffer.wrap(HexFormat.of().parseHex(hex)));
            assertEquals(1, messages.size(), name + ": one message");
            return messages.get(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String hex(ByteBuffer b) {
        byte[] bytes = new byte[b.remaining()];
        b.duplicate().get(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static String hexFlags(int flags) {
        return "0x" + Integer.toHexString(flags) + ((flags & Nl.F_ACK) != 0 ? " (ACK)" : "");
    }

    static InetAddress ip(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
