package io.jnet.cli;

import io.jnet.bridge.BridgeDriver;
import io.jnet.bridge.FirewallElement;
import io.jnet.cni.CniException;
import io.jnet.cni.CniPlugin;
import io.jnet.cni.ErrorCode;
import io.jnet.cni.IpPrefix;
import io.jnet.cni.Json;
import io.jnet.cni.PluginMain;
import io.jnet.kernel.netns.NetNs;
import io.jnet.kernel.rtnl.Address;
import io.jnet.kernel.rtnl.Link;
import io.jnet.kernel.rtnl.LinkSpec;
import io.jnet.kernel.rtnl.Rtnetlink;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the demo's scenarios measure with: connections, the links of a namespace, plugin calls, failures. */
final class DemoProbes {

    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private DemoProbes() {
    }

    /** Makes a throwaway namespace look like a host: lo up, and an uplink (a veth pair) with an address. */
    static void hostLike(NetNs host) throws IOException {
        try (Rtnetlink rtnl = Rtnetlink.openIn(host)) {
            rtnl.setUp(rtnl.link("lo").orElseThrow().index(), true);
            rtnl.createLink(LinkSpec.veth("uplink0", "uplink1"));
            int uplink = rtnl.link("uplink0").orElseThrow().index();
            rtnl.addAddress(Address.of(uplink, InetAddress.getByName("10.233.77.1"), 24));
            rtnl.setUp(uplink, true);
        }
    }

    /** The host's uplink to the outside: a veth pair with 198.18.0.1 in the host and 198.18.0.2 outside. */
    static void uplink(NetNs host, NetNs outside, InetAddress hostIp, InetAddress outsideIp)
            throws IOException {
        try (Rtnetlink rtnl = Rtnetlink.openIn(host)) {
            rtnl.createLink(LinkSpec.veth("out0", "out1").withPeerNetns(outside));
            int out0 = rtnl.link("out0").orElseThrow().index();
            rtnl.addAddress(Address.of(out0, hostIp, 24));
            rtnl.setUp(out0, true);
        }
        try (Rtnetlink rtnl = Rtnetlink.openIn(outside)) {
            rtnl.setUp(rtnl.link("lo").orElseThrow().index(), true);
            int out1 = rtnl.link("out1").orElseThrow().index();
            rtnl.addAddress(Address.of(out1, outsideIp, 24));
            rtnl.setUp(out1, true);
        }
    }

    /** The container's IPv4 address from its ADD result, or null. */
    static InetAddress address(ContainerRecord record) {
        for (String a : Addresses.reachable(record.result())) {
            IpPrefix p = IpPrefix.parse(a);
            if (p.isIpv4()) {
                return p.address();
            }
        }
        return null;
    }

    /** What is left in the host of the networks: veths, bridges, their chains and elements, state files. */
    static String leftovers(NetNs host, Containers engine, List<NetworkConfig> networks) throws IOException {
        List<String> left = new ArrayList<>();
        try (Rtnetlink rtnl = Rtnetlink.openIn(host)) {
            for (Link l : rtnl.links()) {
                if (l.name().startsWith("jv") || networks.stream().anyMatch(n -> n.bridge().equals(l.name()))) {
                    left.add("link " + l.name());
                }
            }
        }
        BridgeDriver driver = engine.networks().driver();
        for (NetworkConfig n : networks) {
            left.addAll(host.call(() -> driver.remains(n.name(), n.bridge())));
        }
        for (FirewallElement e : host.call(driver::firewallElements)) {
            left.add("element " + e.set() + " {" + e.text() + "}");
        }
        return String.join(", ", left);
    }

    /** The links of a namespace with their MAC and addresses, as one comparable list. */
    static List<String> links(String netns) throws IOException {
        try (NetNs ns = NetNs.open(netns); Rtnetlink rtnl = Rtnetlink.openIn(ns)) {
            List<Address> addresses = rtnl.addresses();
            List<String> out = new ArrayList<>();
            for (Link l : rtnl.links()) {
                out.add(l.name() + " " + l.mac() + " " + addresses.stream().filter(a -> a.index() == l.index())
                        .map(a -> new IpPrefix(a.address(), a.prefixLength()).toString()).toList());
            }
            return out;
        }
    }

    /**
     * Listens on 127.0.0.1 in {@code server}, connects from {@code client} and sends "ping"; returns what the
     * listener received, or the client's error.
     */
    static TcpProbe.Reply echo(NetNs server, NetNs client) throws IOException {
        try (ServerSocket listener = server.call(() -> new ServerSocket(0, 1, LOOPBACK))) {
            listener.setSoTimeout(5000);
            int port = listener.getLocalPort();
            TcpProbe.Reply sent = client.call(() -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(LOOPBACK, port), 2000);
                    s.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
                    return TcpProbe.Reply.of("");
                } catch (IOException e) {
                    return TcpProbe.Reply.none(e.getMessage());
                }
            });
            if (!sent.connected()) {
                return sent;
            }
            try (Socket accepted = listener.accept()) {
                return TcpProbe.Reply.of(new String(accepted.getInputStream().readNBytes(4), StandardCharsets.US_ASCII));
            }
        }
    }

    /** A step that must fail: how it failed, or null when it did not. */
    static CliException failure(Failing step) {
        try {
            step.run();
            return null;
        } catch (CliException e) {
            return e;
        }
    }

    /** What a user reads of a step that had to fail. */
    static String message(CliException e) {
        return e == null ? "succeeded" : e.getMessage();
    }

    /** The CNI error code of a plugin call that failed in-process, from the error's type, never its text. */
    static Optional<ErrorCode> cniCode(CliException e) {
        return e == null ? Optional.empty() : InProcessCni.cause(e, CniException.class).map(CniException::code);
    }

    @FunctionalInterface
    interface Failing {
        Object run() throws CliException;
    }

    /** One plugin call through the same dispatcher the launchers use; the parsed stdout, or null on failure. */
    static Map<String, Object> cni(CniPlugin plugin, String command, String netns, String ifname,
                                    Map<String, Object> prevResult) throws Exception {
        Map<String, Object> conf = new LinkedHashMap<>(InProcessCni.conf("demo", "jnet-none", Map.of()));
        if (prevResult != null) {
            conf.put("prevResult", prevResult);
        }
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int exit = PluginMain.run(plugin, "jnet-none", Map.of("CNI_COMMAND", command, "CNI_CONTAINERID", "demo",
                        "CNI_NETNS", netns, "CNI_IFNAME", ifname), new ByteArrayInputStream(Json.writeBytes(conf)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8).strip();
        if (exit != 0) {
            System.out.println("    " + command + " failed: " + text + " " + err.toString(StandardCharsets.UTF_8).strip());
            return null;
        }
        return text.isEmpty() ? Map.of() : Json.parseObject(text.getBytes(StandardCharsets.UTF_8));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> first(Map<String, Object> result, String key) {
        List<Map<String, Object>> list = result == null ? null : (List<Map<String, Object>>) result.get(key);
        return list == null || list.isEmpty() ? Map.of() : list.get(0);
    }

    @SuppressWarnings("unchecked")
    static String ips(Map<String, Object> result) {
        List<Map<String, Object>> list = result == null ? List.of() : (List<Map<String, Object>>) result.get("ips");
        return list == null ? "[]" : list.stream().map(ip -> String.valueOf(ip.get("address"))).toList().toString();
    }
}
