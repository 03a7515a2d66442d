package io.jnet.none;

import io.jnet.cni.CniVersion;
import io.jnet.cni.Json;
import io.jnet.cni.PluginMain;
import io.jnet.cni.Result;
import io.jnet.cni.ResultCodec;
import io.jnet.kernel.rtnl.Address;
import io.jnet.kernel.testing.Sandbox;
import io.jnet.kernel.testing.SandboxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * jnet-none as the reference loopback plugin behaves: it works on lo and reports lo whatever CNI_IFNAME says, and DEL
 * never brings down the interface that CNI_IFNAME names. Each call goes through the dispatcher, as a launcher's does.
 */
@ExtendWith(SandboxExtension.class)
class NonePluginTest {

    private static final String CONF = "{\"cniVersion\":\"1.1.0\",\"name\":\"none\",\"type\":\"jnet-none\"}";

    record Call(int exit, String stdout) {
        Map<String, Object> json() throws Exception {
            return Json.parseObject(stdout.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static Call call(String command, String netns, String ifname, String conf) {
        Map<String, String> env = new HashMap<>(Map.of("CNI_COMMAND", command, "CNI_CONTAINERID", "c1",
                "CNI_NETNS", netns, "CNI_IFNAME", ifname));
        var out = new ByteArrayOutputStream();
        int exit = PluginMain.run(new NonePlugin(), "jnet-none", env,
                new ByteArrayInputStream(conf.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()));
        return new Call(exit, out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theResultNamesLoWithTheFirstAddressOfEachFamily() throws Exception {
        Address v4 = new Address(1, InetAddress.getByName("127.0.0.1"), 8, Optional.empty(), 0, 0);
        Address v4b = new Address(1, InetAddress.getByName("127.0.0.2"), 8, Optional.empty(), 0, 0);
        Address v6 = new Address(1, InetAddress.getByName("::1"), 128, Optional.empty(), 0, 0);
        Result r = NonePlugin.result(List.of(v4, v6, v4b), "/run/netns/x");
        assertEquals("lo", r.interfaces().get(0).name());
        assertEquals("/run/netns/x", r.interfaces().get(0).sandbox());
        assertEquals(List.of("127.0.0.1/8", "::1/128"), r.ips().stream().map(ip -> ip.address().toString()).toList());
        assertEquals(List.of(), NonePlugin.result(List.of(), "/x").ips());
    }

    @Test
    void addBringsUpLoAndReportsLoWhateverCniIfnameSays(Sandbox sandbox) throws Exception {
        Sandbox.Ns ns = sandbox.namespace("none");
        Call add = call("ADD", ns.path(), "eth0", CONF);
        assertEquals(0, add.exit(), add.stdout());
        assertTrue(add.stdout().contains("\"name\":\"lo\""), add.stdout());
        assertTrue(sandbox.in(ns, "ip", "-o", "link", "show", "lo").ok().stdout().contains("UP"), "lo is up");
        // CHECK with the ADD's result as prevResult, again under the other name
        Map<String, Object> prev = add.json();
        Map<String, Object> conf = new HashMap<>(Json.parseObject(CONF.getBytes(StandardCharsets.UTF_8)));
        conf.put("prevResult", prev);
        String withPrev = new String(Json.writeBytes(conf), StandardCharsets.UTF_8);
        assertEquals(0, call("CHECK", ns.path(), "eth0", withPrev).exit());
        assertEquals(ResultCodec.decode(prev, "r").ips(), ResultCodec.decode(
                Json.parseObject(call("ADD", ns.path(), "lo", CONF).stdout().getBytes(StandardCharsets.UTF_8)), "r")
                .ips(), "the same result as with CNI_IFNAME=lo");
        assertEquals(CniVersion.V1_1_0.text(), prev.get("cniVersion"));
    }

    @Test
    void delBringsDownLoAndNeverTheInterfaceCniIfnameNames(Sandbox sandbox) {
        Sandbox.Ns ns = sandbox.namespace("none");
        sandbox.in(ns, "ip", "link", "add", "eth0", "type", "veth", "peer", "name", "eth1").ok();
        sandbox.in(ns, "ip", "link", "set", "eth0", "up").ok();
        assertEquals(0, call("ADD", ns.path(), "lo", CONF).exit());
        Call del = call("DEL", ns.path(), "eth0", CONF);
        assertEquals(0, del.exit(), del.stdout());
        assertEquals("", del.stdout());
        assertTrue(sandbox.in(ns, "ip", "-o", "link", "show", "eth0").ok().stdout().contains("UP"),
                "eth0 belongs to another plugin and stays up");
        assertTrue(!sandbox.in(ns, "ip", "-o", "link", "show", "lo").ok().stdout().contains(",UP"), "lo is down");
        assertEquals(0, call("DEL", ns.path(), "eth0", CONF).exit(), "DEL again");
    }

    @Test
    void checkOfLoThatIsDownIs100(Sandbox sandbox) throws Exception {
        Sandbox.Ns ns = sandbox.namespace("none");
        Call add = call("ADD", ns.path(), "eth0", CONF);
        sandbox.in(ns, "ip", "link", "set", "lo", "down").ok();
        Map<String, Object> conf = new HashMap<>(Json.parseObject(CONF.getBytes(StandardCharsets.UTF_8)));
        conf.put("prevResult", add.json());
        Call check = call("CHECK", ns.path(), "eth0", new String(Json.writeBytes(conf), StandardCharsets.UTF_8));
        assertEquals(1, check.exit());
        assertEquals(100, ((Number) check.json().get("code")).intValue(), check.stdout());
    }

    /** A path that is not a network namespace: ADD is 8, DEL has nothing to do, and neither blocks on a FIFO. */
    @Test
    void notANamespaceIsCode8ForAddAndNothingForDel(@TempDir Path tmp) throws Exception {
        Path fifo = tmp.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        for (String path : List.of(fifo.toString(), "/proc/self/ns/mnt", "/dev/null")) {
            Call add = call("ADD", path, "eth0", CONF);
            assertEquals(8, ((Number) add.json().get("code")).intValue(), path + ": " + add.stdout());
            assertTrue(((String) add.json().get("msg")).contains("CNI_NETNS"), add.stdout());
            assertEquals(0, call("DEL", path, "eth0", CONF).exit(), path);
        }
    }
}
