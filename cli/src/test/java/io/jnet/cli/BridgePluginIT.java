package io.jnet.cli;

import io.jnet.kernel.testing.Sandbox;
import io.jnet.kernel.testing.SandboxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** jnet-bridge through its launcher, in a sandbox host with an outside namespace, proven with real traffic. */
@ExtendWith(SandboxExtension.class)
class BridgePluginIT {

    static Stream<String> versions() {
        return Stream.of(Launchers.VERSIONS);
    }

    /** A bridge network config; {@code extra} is spliced in as more top-level fields. */
    static String conf(String version, String network, String bridge, String ranges, String extra) {
        return "{\"cniVersion\":\"" + version + "\",\"name\":\"" + network + "\",\"type\":\"jnet-bridge\",\"bridge\":\""
                + bridge + "\",\"ipam\":{\"type\":\"jnet-ipam\",\"ranges\":" + ranges + "}"
                + (extra.isEmpty() ? "" : "," + extra) + "}";
    }

    static String v4(String subnet) {
        return "[[{\"subnet\":\"" + subnet + "\"}]]";
    }

    static String ports(String... mappings) {
        return "\"runtimeConfig\":{\"portMappings\":[" + String.join(",", mappings) + "]}";
    }

    static String port(String proto, int host, int container, String hostIp) {
        return "{\"hostPort\":" + host + ",\"containerPort\":" + container + ",\"protocol\":\"" + proto + "\""
                + (hostIp == null ? "" : ",\"hostIP\":\"" + hostIp + "\"") + "}";
    }

    private static String with(String conf, String prevResult) {
        return conf.substring(0, conf.length() - 1) + ",\"prevResult\":" + prevResult.strip() + "}";
    }

    @ParameterizedTest
    @MethodSource("versions")
    void addCheckDelDelLeavesNothingBehind(String version, Sandbox sandbox) throws Exception {
        try (Topology t = new Topology(sandbox)) {
            Sandbox.Ns c = t.container("c");
            String conf = conf(version, "v" + version.replace(".", ""), "jt0", v4("10.233.10.0/24"),
                    ports(port("tcp", 8080, 80, null)));
            Launchers.Call add = t.cni("jnet-bridge", "ADD", "c1", c, "eth0", conf);
            assertEquals(0, add.exit(), add.stdout() + add.stderr());
            Map<String, Object> result = add.json();
            assertEquals(version, result.get("cniVersion"));
            List<Map<String, Object>> interfaces = list(result, "interfaces");
            assertEquals(List.of("jt0", BridgeNames.hostVeth("v" + version.replace(".", ""), "c1", "eth0"), "eth0"),
                    interfaces.stream().map(i -> i.get("name")).toList());
            assertEquals(c.path(), interfaces.get(2).get("sandbox"));
            Map<String, Object> ip = list(result, "ips").get(0);
            assertEquals("10.233.10.2/24", ip.get("address"));
            assertEquals("10.233.10.1", ip.get("gateway"));
            assertEquals(2L, ((Number) ip.get("interface")).longValue());
            assertEquals(version.startsWith("0."), ip.containsKey("version"));

            // oracles: iproute2 and nft in the sandbox
            String addr = t.sandbox.in(c, "ip", "-j", "addr", "show", "eth0").ok().stdout();
            assertTrue(addr.contains("\"10.233.10.2\""), addr);
            String route = t.sandbox.in(c, "ip", "-j", "route", "show", "default").ok().stdout();
            assertTrue(route.contains("\"gateway\":\"10.233.10.1\""), route);
            String port = t.sandbox.in(t.host, "ip", "-j", "-d", "link", "show", "dev",
                    BridgeNames.hostVeth("v" + version.replace(".", ""), "c1", "eth0")).ok().stdout();
            assertTrue(port.contains("\"master\":\"jt0\""), port);
            assertTrue(t.rulesetText().contains("tcp . 8080 : 10.233.10.2 . 80"), t.rulesetText());

            if (!version.startsWith("0.3")) {
                Launchers.Call check = t.cni("jnet-bridge", "CHECK", "c1", c, "eth0", with(conf, add.stdout()));
                assertEquals(0, check.exit(), check.stdout() + check.stderr());
            }
            Launchers.Call del = t.cni("jnet-bridge", "DEL", "c1", c, "eth0", conf);
            assertEquals(0, del.exit(), del.stdout() + del.stderr());
            Launchers.Call again = t.cni("jnet-bridge", "DEL", "c1", c, "eth0", conf);
            assertEquals(0, again.exit(), again.stdout() + again.stderr());

            assertFalse(t.sandbox.in(t.host, "ip", "-j", "link").ok().stdout().contains("\"jv"), "a host veth is left");
            assertFalse(t.sandbox.in(c, "ip", "-j", "link").ok().stdout().contains("eth0"));
            assertFalse(t.rulesetText().contains("10.233.10.2"), "a map element is left: " + t.rulesetText());
            try (var files = Files.walk(t.root)) {
                List<String> left = files.filter(Files::isRegularFile).map(Object::toString)
                        .filter(f -> f.contains("/owners/") || f.contains("/leases/") || f.contains("/bridge/"))
                        .filter(f -> !f.endsWith(".lock")).toList();
                assertEquals(List.of(), left, "state left behind");
            }
        }
    }

    @Test
    void delNeedsNeitherNetnsNorPrevResultNorRuntimeConfig(Sandbox sandbox) throws Exception {
        try (Topology t = new Topology(sandbox)) {
            Sandbox.Ns c = t.container("c");
            String withPorts = conf("1.1.0", "n1", "jt0", v4("10.233.11.0/24"), ports(port("tcp", 8081, 80, null)));
            assertEquals(0, t.cni("jnet-bridge", "ADD", "c1", c, "eth0", withPorts).exit());
            t.sandbox.run("ip", "netns", "delete", c.name()).ok();
            String bare = conf("1.1.0", "n1", "jt0", v4("10.233.11.0/24"), "");
            Launchers.Call del = t.cni("jnet-bridge", "DEL", "c1", null, "eth0", bare);
            assertEquals(0, del.exit(), del.stdout() + del.stderr());
            assertFalse(t.rulesetText().contains("10.233.11.2"), t.rulesetText());
            assertFalse(t.sandbox.in(t.host, "ip", "-j", "link").ok().stdout().contains("\"jv"));
        }
    }

    @Test
    void containersReachEachOtherTheOutsideThroughSnatAndArePublishedThroughDnat(Sandbox sandbox) throws Exception {
        try (Topology t = new Topology(sandbox)) {
            Sandbox.Ns a = t.container("a");
            Sandbox.Ns b = t.container("b");
            String net = v4("10.233.12.0/24");
            // a runtime passes a range (-p 9100-9102:9100-9102) as one mapping per port
            assertEquals(0, t.cni("jnet-bridge", "ADD", "a", a, "eth0", conf("1.1.0", "n1", "jt0", net,
                    ports(port("tcp", 8080, 80, null), port("udp", 5353, 53, null),
                            port("tcp", 9090, 90, Topology.HOST_IP), port("tcp", 9100, 9100, null),
                            port("tcp", 9101, 9101, null), port("tcp", 9102, 9102, null)))).exit());
            assertEquals(0, t.cni("jnet-bridge", "ADD", "b", b, "eth0", conf("1.1.0", "n1", "jt0", net, "")).exit());
            assertTrue(t.ping(a, "10.233.12.3"), "a pings b over the bridge");
            assertTrue(t.ping(b, "10.233.12.2"), "b pings a over the bridge");

            // SNAT: the outside sees the host's address, not the container's
            t.serve(t.outside, "tcp", 7000);
            assertEquals(Topology.HOST_IP, t.connect(a, "tcp", Topology.OUTSIDE_IP, 7000));

            // DNAT: tcp and udp from the outside reach the container
            t.serve(a, "tcp", 80);
            t.serve(a, "udp", 53);
            t.serve(a, "tcp", 90);
            assertEquals(Topology.OUTSIDE_IP, t.connect(t.outside, "tcp", Topology.HOST_IP, 8080));
            assertEquals(Topology.OUTSIDE_IP, t.connect(t.outside, "udp", Topology.HOST_IP, 5353));
            t.serve(a, "tcp", 9101);
            assertEquals(Topology.OUTSIDE_IP, t.connect(t.outside, "tcp", Topology.HOST_IP, 9101), "a port range");
            // a host-IP-specific mapping answers on that IP only
            assertEquals(Topology.OUTSIDE_IP, t.connect(t.outside, "tcp", Topology.HOST_IP, 9090));
            assertTrue(t.unreachable(b, "tcp", "10.233.12.1", 9090), "9090 is published on 198.18.0.1 only");
            // hairpin: a container reaches its own and a sibling's published port through the host's address
            assertTrue(t.connect(a, "tcp", Topology.HOST_IP, 8080).startsWith("10.233.12."), "hairpin to itself");
            assertTrue(t.connect(b, "tcp", Topology.HOST_IP, 8080).startsWith("10.233.12."), "hairpin from a sibling");
            // the sandbox host itself, on its own address and on 127.0.0.1
            assertFalse(t.connect(t.host, "tcp", Topology.HOST_IP, 8080).isEmpty());
            assertFalse(t.connect(t.host, "tcp", "127.0.0.1", 8080).isEmpty(), "127.0.0.1:8080 from the host");
        }
    }

    @Test
    void iccFalseInternalAndSeparateNetworks(Sandbox sandbox) throws Exception {
        try (Topology t = new Topology(sandbox)) {
            Sandbox.Ns a = t.container("a");
            Sandbox.Ns b = t.container("b");
            Sandbox.Ns other = t.container("o");
            Sandbox.Ns internal = t.container("i");
            String noIcc = v4("10.233.13.0/24");
            assertEquals(0, t.cni("jnet-bridge", "ADD", "a", a, "eth0", conf("1.1.0", "quiet", "jt1", noIcc,
                    "\"icc\":false," + ports(port("tcp", 8080, 80, null)))).exit());
            assertEquals(0, t.cni("jnet-bridge", "ADD", "b", b, "eth0", conf("1.1.0", "quiet", "jt1", noIcc,
                    "\"icc\":false")).exit());
            assertEquals(0, t.cni("jnet-bridge", "ADD", "o", other, "eth0", conf("1.1.0", "other", "jt2",
                    v4("10.233.14.0/24"), "")).exit());
            assertEquals(0, t.cni("jnet-bridge", "ADD", "i", internal, "eth0", conf("1.1.0", "inside", "jt3",
                    v4("10.233.15.0/24"), "\"internal\":true")).exit());
            t.serve(a, "tcp", 80);
            t.serve(t.outside, "tcp", 7000);

            assertFalse(t.ping(b, "10.233.13.2"), "icc=false: b must not reach a directly");
            assertEquals(Topology.OUTSIDE_IP, t.connect(t.outside, "tcp", Topology.HOST_IP, 8080),
                    "icc=false: published ports still answer");
            // other networks come masqueraded to this network's gateway
            assertEquals("10.233.13.1", t.connect(other, "tcp", Topology.HOST_IP, 8080),
                    "icc=false: published ports answer containers of other networks");
            assertEquals("10.233.13.1", t.connect(b, "tcp", Topology.HOST_IP, 8080),
                    "icc=false: published ports answer containers of the same network, through the host");
            assertFalse(t.ping(other, "10.233.13.2"), "networks are isolated from each other");
            assertTrue(t.unreachable(other, "tcp", "10.233.13.2", 80), "networks are isolated from each other");
            assertTrue(t.ping(internal, "10.233.15.1"), "an internal network reaches its gateway");
            assertTrue(t.unreachable(internal, "tcp", Topology.OUTSIDE_IP, 7000), "an internal network has no egress");
            assertFalse(t.ping(internal, Topology.OUTSIDE_IP), "an internal network has no egress");
            assertEquals(Topology.HOST_IP, t.connect(other, "tcp", Topology.OUTSIDE_IP, 7000));
        }
    }

    @Test
    void dualStack(Sandbox sandbox) throws Exception {
        try (Topology t = new Topology(sandbox)) {
            Sandbox.Ns a = t.container("a");
            Sandbox.Ns b = t.container("b");
            String ranges = "[[{\"subnet\":\"10.233.16.0/24\"}],[{\"subnet\":\"fd33:16::/64\"}]]";
            Launchers.Call add = t.cni("jnet-bridge", "ADD", "a", a, "eth0", conf("1.1.0", "ds", "jt4", ranges,
                    ports(port("tcp", 8080, 80, null))));
            assertEquals(0, add.exit(), add.stdout() + add.stderr());
            assertEquals(List.of("10.233.16.2/24", "fd33:16::2/64"),
                    list(add.json(), "ips").stream().map(i -> i.get("address")).toList());
            assertEquals(0, t.cni("jnet-bridge", "ADD", "b", b, "eth0", conf("1.1.0", "ds", "jt4", ranges, "")).exit());
            assertTrue(t.ping(a, "fd33:16::3"), "dual-stack ping over the bridge");
            t.serve(t.outside, "tcp", 7000);
            assertEquals(Topology.HOST_IP6, t.connect(a, "tcp", Topology.OUTSIDE_IP6, 7000), "IPv6 egress, masqueraded");
            t.serve(a, "tcp", 80);
            assertEquals(Topology.OUTSIDE_IP6, t.connect(t.outside, "tcp", Topology.HOST_IP6, 8080), "IPv6 DNAT");
        }
    }

    @Test
    void checkNamesWhatDrifted(Sandbox sandbox) throws Exception {
        try (Topology t = new Topology(sandbox)) {
            Sandbox.Ns c = t.container("c");
            String conf = conf("1.1.0", "n1", "jt0", v4("10.233.17.0/24"), ports(port("tcp", 8080, 80, null)));
            Launchers.Call add = t.cni("jnet-bridge", "ADD", "c1", c, "eth0", conf);
            assertEquals(0, add.exit());
            String checkConf = with(conf, add.stdout());

            t.sandbox.in(t.host, "nft", "delete", "element", "inet", "jnet", "pub4", "{", "tcp", ".", "8080", "}").ok();
            assertDrift(t, c, checkConf, "pub4");
            t.sandbox.in(t.host, "nft", "flush", "table", "inet", "jnet").ok();
            assertDrift(t, c, checkConf, "no rules");
            t.sandbox.in(c, "ip", "addr", "del", "10.233.17.2/24", "dev", "eth0").ok();
            assertDrift(t, c, checkConf, "address 10.233.17.2/24 is missing");
            t.sandbox.in(t.host, "ip", "link", "del", BridgeNames.hostVeth("n1", "c1", "eth0")).ok();
            assertDrift(t, c, checkConf, "is missing");

            // the next ADD re-creates the shared objects that were flushed or deleted
            t.sandbox.in(t.host, "ip", "link", "del", "jt0").ok();
            Sandbox.Ns d = t.container("d");
            assertEquals(0, t.cni("jnet-bridge", "ADD", "c2", d, "eth0", conf("1.1.0", "n1", "jt0",
                    v4("10.233.17.0/24"), "")).exit());
            assertTrue(t.rulesetText().contains("masquerade"), t.rulesetText());
            assertTrue(t.sandbox.in(t.host, "ip", "-j", "addr", "show", "jt0").ok().stdout().contains("10.233.17.1"));
            assertTrue(t.ping(d, "10.233.17.1"), "the re-created bridge carries the gateway");
        }
    }

    private static void assertDrift(Topology t, Sandbox.Ns c, String conf, String mentions) throws Exception {
        Launchers.Call check = t.cni("jnet-bridge", "CHECK", "c1", c, "eth0", conf);
        assertEquals(1, check.exit(), check.stdout());
        assertTrue(((String) check.get("msg")).contains(mentions), check.stdout());
    }

    @Test
    void aFailedAddLeavesNothingBehind(Sandbox sandbox) throws Exception {
        try (Topology t = new Topology(sandbox)) {
            Sandbox.Ns a = t.container("a");
            Sandbox.Ns b = t.container("b");
            Sandbox.Ns c = t.container("c");
            String net = v4("10.233.18.0/24");
            assertEquals(0, t.cni("jnet-bridge", "ADD", "a", a, "eth0", conf("1.1.0", "n1", "jt0", net,
                    ports(port("tcp", 8080, 80, null)))).exit());
            String before = state(t);

            // a host port that another container publishes
            Launchers.Call port = t.cni("jnet-bridge", "ADD", "b", b, "eth0", conf("1.1.0", "n1", "jt0", net,
                    ports(port("tcp", 8080, 80, null))));
            assertEquals(1, port.exit(), port.stdout());
            assertTrue(((String) port.get("msg")).contains("already published"), port.stdout());
            assertEquals(before, state(t));

            // a requested address that is taken
            Launchers.Call taken = t.cni("jnet-bridge", "ADD", "b", b, "eth0", conf("1.1.0", "n1", "jt0", net,
                    "\"runtimeConfig\":{\"ips\":[\"10.233.18.2\"]}"));
            assertEquals(1, taken.exit(), taken.stdout());
            assertEquals(before, state(t));

            // an interface name that already exists in the container
            t.sandbox.in(c, "ip", "link", "add", "eth0", "type", "veth", "peer", "name", "x0").ok();
            Launchers.Call exists = t.cni("jnet-bridge", "ADD", "c", c, "eth0", conf("1.1.0", "n1", "jt0", net, ""));
            assertEquals(1, exists.exit(), exists.stdout());
            assertTrue(((String) exists.get("msg")).contains("already exists"), exists.stdout());
            assertEquals(before, state(t));
        }
    }

    /** Everything ADD could leave behind: host links, nft ruleset, state files. */
    private static String state(Topology t) throws Exception {
        StringBuilder s = new StringBuilder();
        s.append(t.sandbox.in(t.host, "ip", "-br", "link").ok().stdout());
        s.append(t.rulesetText().replaceAll("# handle \\d+", ""));
        try (var files = Files.walk(t.root)) {
            files.filter(Files::isRegularFile).map(Object::toString).sorted().forEach(f -> s.append(f).append('\n'));
        }
        return s.toString();
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Map<String, Object> json, String key) {
        return (List<Map<String, Object>>) json.get(key);
    }

    @Test
    void gcRemovesWhatIsNotValidAndStatusReportsExhaustion(Sandbox sandbox) throws Exception {
        try (Topology t = new Topology(sandbox)) {
            Sandbox.Ns a = t.container("a");
            Sandbox.Ns b = t.container("b");
            // a /30 has room for two containers after the gateway
            String net = "[[{\"subnet\":\"10.233.19.0/29\",\"rangeEnd\":\"10.233.19.3\"}]]";
            String conf = conf("1.1.0", "n1", "jt0", net, ports(port("tcp", 8080, 80, null)));
            assertEquals(0, t.cni("jnet-bridge", "ADD", "a", a, "eth0", conf).exit());
            assertEquals(0, t.cni("jnet-bridge", "STATUS", null, null, null, conf).exit(), "one address is left");
            assertEquals(0, t.cni("jnet-bridge", "ADD", "b", b, "eth0",
                    conf("1.1.0", "n1", "jt0", net, "")).exit());
            Launchers.Call full = t.cni("jnet-bridge", "STATUS", null, null, null, conf);
            assertEquals(1, full.exit(), full.stdout());
            assertEquals(50L, ((Number) full.get("code")).longValue(), full.stdout());

            String gc = conf.substring(0, conf.length() - 1)
                    + ",\"cni.dev/valid-attachments\":[{\"containerID\":\"b\",\"ifname\":\"eth0\"}]}";
            Launchers.Call collected = t.cni("jnet-bridge", "GC", null, null, null, gc);
            assertEquals(0, collected.exit(), collected.stdout() + collected.stderr());
            assertFalse(t.rulesetText().contains("10.233.19.2"), "a's map element is gone");
            String links = t.sandbox.in(t.host, "ip", "-j", "link").ok().stdout();
            assertFalse(links.contains(BridgeNames.hostVeth("n1", "a", "eth0")), "a's veth is gone");
            assertTrue(links.contains(BridgeNames.hostVeth("n1", "b", "eth0")), "b's veth stays");
            assertTrue(t.ping(b, "10.233.19.1"), "b still works");
            assertEquals(0, t.cni("jnet-bridge", "STATUS", null, null, null, conf).exit(), "a's address is free again");
        }
    }

    @Test
    void theReferencePortmapPluginChainsAfterJnetBridge(Sandbox sandbox) throws Exception {
        try (Topology t = new Topology(sandbox)) {
            Sandbox.Ns a = t.container("a");
            String bridge = conf("1.0.0", "chain", "jt0", v4("10.233.20.0/24"), "");
            Launchers.Call add = t.cni("jnet-bridge", "ADD", "a", a, "eth0", bridge);
            assertEquals(0, add.exit(), add.stdout() + add.stderr());
            String portmap = "{\"cniVersion\":\"1.0.0\",\"name\":\"chain\",\"type\":\"portmap\","
                    + "\"runtimeConfig\":{\"portMappings\":[" + port("tcp", 8088, 80, null) + "]},"
                    + "\"prevResult\":" + add.stdout().strip() + "}";
            Sandbox.Run pm = t.sandbox.run(Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "a", "CNI_NETNS", a.path(),
                    "CNI_IFNAME", "eth0", "CNI_PATH", "/usr/lib/cni"), portmap.getBytes(),
                    Sandbox.inCommand(t.host, "/usr/lib/cni/portmap"));
            assertEquals(0, pm.exit(), pm.stdout() + pm.stderr());
            t.serve(a, "tcp", 80);
            assertEquals(Topology.OUTSIDE_IP, t.connect(t.outside, "tcp", Topology.HOST_IP, 8088),
                    "portmap's DNAT reaches the container that jnet-bridge attached");
            Sandbox.Run pmDel = t.sandbox.run(Map.of("CNI_COMMAND", "DEL", "CNI_CONTAINERID", "a", "CNI_NETNS",
                    a.path(), "CNI_IFNAME", "eth0", "CNI_PATH", "/usr/lib/cni"), portmap.getBytes(),
                    Sandbox.inCommand(t.host, "/usr/lib/cni/portmap"));
            assertEquals(0, pmDel.exit(), pmDel.stdout() + pmDel.stderr());
            assertEquals(0, t.cni("jnet-bridge", "DEL", "a", a, "eth0", bridge).exit());
        }
    }

    @Test
    void aUdpFlowThatStartedBeforeThePortWasPublishedIsRedirected(Sandbox sandbox) throws Exception {
        try (Topology t = new Topology(sandbox)) {
            Sandbox.Ns a = t.container("a");
            Sandbox.Ns b = t.container("b");
            String net = v4("10.233.21.0/24");
            assertEquals(0, t.cni("jnet-bridge", "ADD", "b", b, "eth0", conf("1.1.0", "n1", "jt0", net, "")).exit());
            // the outside talks to 198.18.0.1:5400 before anything listens: the host tracks that flow un-NAT'd
            t.serve(t.host, "udp", 5400);
            assertEquals(Topology.OUTSIDE_IP, t.udpFrom(t.outside, 40000, Topology.HOST_IP, 5400));
            t.serve(a, "udp", 5400);
            assertEquals(0, t.cni("jnet-bridge", "ADD", "a", a, "eth0", conf("1.1.0", "n1", "jt0", net,
                    ports(port("udp", 5400, 5400, null)))).exit());
            // same flow, now published: it must reach the container, whose answer says it saw the outside
            String seen = t.sandbox.in(t.host, "conntrack", "-L", "-p", "udp", "--orig-port-dst", "5400").stdout();
            assertFalse(seen.contains("dst=198.18.0.1 sport=40000 dport=5400 src=198.18.0.1"),
                    "the pre-publication entry was flushed: " + seen);
            assertEquals(Topology.OUTSIDE_IP, t.udpFrom(t.outside, 40000, Topology.HOST_IP, 5400));
            assertTrue(t.sandbox.in(t.host, "conntrack", "-L", "-p", "udp", "--orig-port-dst", "5400").stdout()
                    .contains("src=10.233.21."), "the flow is DNAT'd to the container now");
        }
    }
}
