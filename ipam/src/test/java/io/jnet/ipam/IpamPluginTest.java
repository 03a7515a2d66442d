package io.jnet.ipam;

import io.jnet.cni.CniException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The jnet-ipam plugin through PluginMain: every command, every version, requested addresses, hostile input. */
class IpamPluginTest {

    @TempDir
    Path tmp;
    Path root;
    String netns;
    PluginCalls plugin;

    @BeforeEach
    void setUp() throws Exception {
        root = tmp.resolve("root");
        // PluginMain checks that CNI_NETNS is a namespace file; IPAM never enters it, so the test's own will do
        netns = "/proc/self/ns/net";
        plugin = new PluginCalls(Map.of("JNET_ROOT", root.toString(), "CNI_NETNS_OVERRIDE", "1"));
    }

    static String conf(String version, String ipam) {
        return "{\"cniVersion\":\"" + version + "\",\"name\":\"net1\",\"type\":\"bridge\",\"ipam\":" + ipam + "}";
    }

    static final String DUAL = """
            {"type":"jnet-ipam",
             "ranges":[[{"subnet":"10.233.5.0/24","gateway":"10.233.5.254"}],[{"subnet":"fd00:5::/64"}]],
             "routes":[{"dst":"0.0.0.0/0"},{"dst":"::/0","gw":"fd00:5::1"}]}""";

    @Test
    void addReturnsIpsRoutesAndDnsWithoutInterfaces() throws Exception {
        Path resolv = tmp.resolve("resolv.conf");
        Files.writeString(resolv, "nameserver 10.233.5.53\nsearch svc.local\noptions ndots:3\ndomain local\n");
        String ipam = DUAL.replace("\"type\":\"jnet-ipam\",", "\"type\":\"jnet-ipam\",\"resolvConf\":\"" + resolv + "\",");
        PluginCalls.Reply add = plugin.attachment("ADD", "c1", "eth0", netns, conf("1.1.0", ipam));
        assertEquals(0, add.exit(), add.stdout());
        assertEquals("{\"cniVersion\":\"1.1.0\","
                + "\"ips\":[{\"address\":\"10.233.5.1/24\",\"gateway\":\"10.233.5.254\"},"
                + "{\"address\":\"fd00:5::2/64\",\"gateway\":\"fd00:5::1\"}],"
                + "\"routes\":[{\"dst\":\"0.0.0.0/0\"},{\"dst\":\"::/0\",\"gw\":\"fd00:5::1\"}],"
                + "\"dns\":{\"nameservers\":[\"10.233.5.53\"],\"domain\":\"local\",\"search\":[\"svc.local\"],"
                + "\"options\":[\"ndots:3\"]}}\n", add.stdout());

        // a repeated ADD returns the same lease
        assertEquals(add.stdout(), plugin.attachment("ADD", "c1", "eth0", netns, conf("1.1.0", ipam)).stdout());
        // 0.3.1 results carry "version" per address
        PluginCalls.Reply old = plugin.attachment("ADD", "c2", "eth0", netns, conf("0.3.1", ipam));
        assertEquals(0, old.exit(), old.stdout());
        assertTrue(old.stdout().contains("{\"version\":\"4\",\"address\":\"10.233.5.2/24\",\"gateway\":\"10.233.5.254\"}"),
                old.stdout());
        assertFalse(old.stdout().contains("interface"), old.stdout());
    }

    @Test
    void delIsIdempotentAndCheckFollowsTheLease() throws Exception {
        String c = conf("1.1.0", DUAL);
        PluginCalls.Reply add = plugin.attachment("ADD", "c1", "eth0", netns, c);
        String withPrev = c.substring(0, c.length() - 1) + ",\"prevResult\":" + add.stdout().strip() + "}";
        PluginCalls.Reply check = plugin.attachment("CHECK", "c1", "eth0", netns, withPrev);
        assertEquals(0, check.exit(), check.stdout());
        assertEquals(7, plugin.attachment("CHECK", "c1", "eth0", netns, c).code(), "the spec: CHECK needs prevResult");

        String drifted = withPrev.replace("10.233.5.1/24", "10.233.5.9/24");
        PluginCalls.Reply bad = plugin.attachment("CHECK", "c1", "eth0", netns, drifted);
        assertEquals(1, bad.exit());
        assertEquals(100, bad.code());
        assertEquals("leased address 10.233.5.1/24 of container c1 ifname eth0 is not in prevResult "
                + "[10.233.5.9/24, fd00:5::2/64]", bad.msg());

        PluginCalls.Reply del = plugin.attachment("DEL", "c1", "eth0", "", c);
        assertEquals(0, del.exit(), del.stdout());
        assertEquals("", del.stdout());
        assertEquals(0, plugin.attachment("DEL", "c1", "eth0", "", c).exit());
        PluginCalls.Reply gone = plugin.attachment("CHECK", "c1", "eth0", netns, withPrev);
        assertEquals(100, gone.code());
        assertEquals("container c1 ifname eth0 holds no address in network net1", gone.msg());
        assertEquals(List.of(), Ipam.open(root).leases("net1"));
    }

    @Test
    void delNeedsOnlyTheDataDir() throws Exception {
        assertEquals(0, plugin.attachment("ADD", "c1", "eth0", netns, conf("1.0.0", DUAL)).exit());
        // the ranges have gone bad since; DEL still releases
        String broken = conf("1.0.0", "{\"type\":\"jnet-ipam\",\"ranges\":\"nonsense\",\"resolvConf\":\"/nonexistent\"}");
        assertEquals(0, plugin.attachment("DEL", "c1", "eth0", "", broken).exit());
        assertEquals(List.of(), Ipam.open(root).leases("net1"));
    }

    @Test
    void requestedAddressesFromEveryCarrier() throws Exception {
        Map<String, String> env = Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "a", "CNI_IFNAME", "eth0",
                "CNI_NETNS", netns, "CNI_ARGS", "IgnoreUnknown=1;IP=10.233.5.10, fd00:5::10");
        assertEquals(List.of("10.233.5.10/24", "fd00:5::10/64"), addresses(plugin.call(env, conf("1.1.0", DUAL))));

        String args = conf("1.1.0", DUAL).replace("\"type\":\"bridge\",", "\"type\":\"bridge\",\"args\":{\"cni\":{\"ips\":[\"10.233.5.11\"]}},");
        assertEquals(List.of("10.233.5.11/24", "fd00:5::2/64"), addresses(plugin.attachment("ADD", "b", "eth0", netns, args)));

        String runtime = conf("1.1.0", DUAL).replace("\"type\":\"bridge\",",
                "\"type\":\"bridge\",\"runtimeConfig\":{\"ips\":[\"10.233.5.12/24\",\"fd00:5::12/64\"]},");
        assertEquals(List.of("10.233.5.12/24", "fd00:5::12/64"), addresses(plugin.attachment("ADD", "c", "eth0", netns, runtime)));

        PluginCalls.Reply taken = plugin.attachment("ADD", "d", "eth0", netns, runtime);
        assertEquals(11, taken.code());
        assertEquals("requested address 10.233.5.12 in network net1 is held by container c ifname eth0", taken.msg());

        String outside = runtime.replace("10.233.5.12/24", "10.233.6.12");
        PluginCalls.Reply out = plugin.attachment("ADD", "d", "eth0", netns, outside);
        assertEquals(7, out.code());

        Map<String, String> badEnv = Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "e", "CNI_IFNAME", "eth0",
                "CNI_NETNS", netns, "CNI_ARGS", "IP=10.233.5.300");
        PluginCalls.Reply malformed = plugin.call(badEnv, conf("1.1.0", DUAL));
        assertEquals(4, malformed.code());
        assertEquals("CNI_ARGS IP: invalid IP address \"10.233.5.300\"", malformed.msg());

        Map<String, String> unknown = Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "e", "CNI_IFNAME", "eth0",
                "CNI_NETNS", netns, "CNI_ARGS", "MAC=00:11:22:33:44:55");
        assertEquals(4, plugin.call(unknown, conf("1.1.0", DUAL)).code());

        String badRuntime = runtime.replace("10.233.5.12/24", "banana");
        PluginCalls.Reply rt = plugin.attachment("ADD", "f", "eth0", netns, badRuntime);
        assertEquals(7, rt.code());
        assertEquals("runtimeConfig.ips[0]: invalid IP address \"banana\"", rt.msg());
    }

    @Test
    void exhaustionIsCode50AndStatusSaysSo() throws Exception {
        String small = conf("1.1.0", "{\"type\":\"jnet-ipam\",\"ranges\":[[{\"subnet\":\"10.233.9.0/30\"}]]}");
        assertEquals(0, plugin.command("STATUS", small).exit());
        assertEquals(0, plugin.attachment("ADD", "a", "eth0", netns, small).exit());
        PluginCalls.Reply full = plugin.attachment("ADD", "b", "eth0", netns, small);
        assertEquals(1, full.exit());
        assertEquals(50, full.code());
        assertEquals("no free address in range set [10.233.9.0/30 10.233.9.1-10.233.9.2 gw 10.233.9.1] of network net1",
                full.msg());
        PluginCalls.Reply status = plugin.command("STATUS", small);
        assertEquals(50, status.code());
        assertEquals("no free address in network net1", status.msg());
        assertEquals(0, plugin.attachment("DEL", "a", "eth0", "", small).exit());
        assertEquals(0, plugin.command("STATUS", small).exit());
    }

    @Test
    void gcKeepsTheValidAttachments() throws Exception {
        String c = conf("1.1.0", DUAL);
        for (String id : List.of("a", "b", "c")) {
            assertEquals(0, plugin.attachment("ADD", id, "eth0", netns, c).exit());
        }
        String gc = c.substring(0, c.length() - 1) + ",\"cni.dev/valid-attachments\":[{\"containerID\":\"b\",\"ifname\":\"eth0\"},"
                + "{\"containerID\":\"../bad\",\"ifname\":\"eth0\"}]}";
        PluginCalls.Reply reply = plugin.command("GC", gc);
        assertEquals(0, reply.exit(), reply.stdout());
        assertEquals(List.of(new Owner("b", "eth0")), Ipam.open(root).leases("net1").stream().map(Lease::owner).toList());
        // the spec's older key works too
        String gc2 = c.substring(0, c.length() - 1) + ",\"cni.dev/attachments\":[]}";
        assertEquals(0, plugin.command("GC", gc2).exit());
        assertEquals(List.of(), Ipam.open(root).leases("net1"));
    }

    @Test
    void hostileInputIsACniErrorAndWritesNothing() throws Exception {
        assertError(7, "ipam.ranges[0][0].subnet: invalid CIDR \"10.0.0.0\" (expected address/prefix)",
                "{\"type\":\"jnet-ipam\",\"ranges\":[[{\"subnet\":\"10.0.0.0\"}]]}");
        assertError(7, "ipam.ranges[0][0]: rangeStart 10.1.0.5 is not in subnet 10.0.0.0/24",
                "{\"type\":\"jnet-ipam\",\"ranges\":[[{\"subnet\":\"10.0.0.0/24\",\"rangeStart\":\"10.1.0.5\"}]]}");
        assertError(7, "ipam.ranges[0][0]: subnet 10.0.0.0/31 is too small to allocate from",
                "{\"type\":\"jnet-ipam\",\"ranges\":[[{\"subnet\":\"10.0.0.0/31\"}]]}");
        assertError(7, "ipam: subnet 10.0.0.7/32 is too small to allocate from",
                "{\"type\":\"jnet-ipam\",\"subnet\":\"10.0.0.7/32\"}");
        assertError(7, "range 10.0.0.0/25 10.0.0.1-10.0.0.126 gw 10.0.0.1 overlaps range 10.0.0.0/24 10.0.0.1-10.0.0.254 gw 10.0.0.1",
                "{\"type\":\"jnet-ipam\",\"ranges\":[[{\"subnet\":\"10.0.0.0/24\"}],[{\"subnet\":\"10.0.0.0/25\"}]]}");
        assertError(7, "no IP ranges specified", "{\"type\":\"jnet-ipam\"}");
        assertFalse(Files.exists(root));

        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        String atFile = "{\"type\":\"jnet-ipam\",\"dataDir\":\"" + file + "\",\"ranges\":[[{\"subnet\":\"10.0.0.0/24\"}]]}";
        assertError(7, "ipam.dataDir: data directory " + file + " exists and is not a directory", atFile);
        PluginCalls envFile = new PluginCalls(Map.of("JNET_ROOT", file.toString(), "CNI_NETNS_OVERRIDE", "1"));
        PluginCalls.Reply viaEnv = envFile.attachment("ADD", "c1", "eth0", netns, conf("1.1.0", DUAL));
        assertEquals(4, viaEnv.code());
        assertEquals("JNET_ROOT: data directory " + file + " exists and is not a directory", viaEnv.msg());
        assertEquals("x", Files.readString(file));

        PluginCalls.Reply path = plugin.attachment("ADD", "../../etc", "eth0", netns, conf("1.1.0", DUAL));
        assertEquals(4, path.code());
        PluginCalls.Reply ifname = plugin.attachment("ADD", "c1", "eth0/../x", netns, conf("1.1.0", DUAL));
        assertEquals(4, ifname.code());
        PluginCalls.Reply net = plugin.attachment("ADD", "c1", "eth0", netns,
                conf("1.1.0", DUAL).replace("\"name\":\"net1\"", "\"name\":\"../net\""));
        assertEquals(7, net.code());
        assertFalse(Files.exists(root));
    }

    private void assertError(int code, String msg, String ipam) throws CniException {
        PluginCalls.Reply reply = plugin.attachment("ADD", "c1", "eth0", netns, conf("1.1.0", ipam));
        assertEquals(1, reply.exit());
        assertEquals(code, reply.code(), reply.stdout());
        assertEquals(msg, reply.msg());
    }

    @SuppressWarnings("unchecked")
    private static List<String> addresses(PluginCalls.Reply reply) throws CniException {
        assertEquals(0, reply.exit(), reply.stdout());
        return ((List<Map<String, Object>>) reply.json().get("ips")).stream().map(m -> (String) m.get("address")).toList();
    }
}
