package io.jnet.host;

import io.jnet.cni.Json;
import io.jnet.cni.PluginMain;
import io.jnet.kernel.netns.NetNs;
import io.jnet.kernel.sys.ErrnoException;
import io.jnet.kernel.sys.Sys;
import io.jnet.kernel.testing.Sandbox;
import io.jnet.kernel.testing.SandboxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** jnet-host in a sandbox namespace that plays the host: the plugin runs inside it, as a launcher would. */
@ExtendWith(SandboxExtension.class)
class HostPluginKernelTest {

    private static final String CONF = "{\"cniVersion\":\"1.1.0\",\"name\":\"host\",\"type\":\"jnet-host\"}";
    /** CHECK needs the ADD's result (the spec); host mode checks only the namespace. */
    private static final String CHECK_CONF = "{\"cniVersion\":\"1.1.0\",\"name\":\"host\",\"type\":\"jnet-host\","
            + "\"prevResult\":{\"cniVersion\":\"1.1.0\",\"interfaces\":[],\"ips\":[]}}";
    private static final String WITH_PORTS = "{\"cniVersion\":\"1.1.0\",\"name\":\"host\",\"type\":\"jnet-host\","
            + "\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":8080,\"containerPort\":80,\"protocol\":\"tcp\"}]}}";

    record Call(int exit, String stdout, String stderr) {
        Map<String, Object> json() throws Exception {
            return Json.parseObject(stdout.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The plugin, called through the dispatcher on a thread inside {@code host}. */
    private static Call call(Sandbox.Ns host, String command, String netns, String conf) throws IOException {
        try (NetNs ns = NetNs.open(host.path())) {
            return ns.call(() -> {
                var out = new ByteArrayOutputStream();
                var err = new ByteArrayOutputStream();
                PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
                int exit = PluginMain.run(new HostPlugin(errStream), "jnet-host", Map.of("CNI_COMMAND", command,
                                "CNI_CONTAINERID", "c1", "CNI_NETNS", netns, "CNI_IFNAME", "eth0"),
                        new ByteArrayInputStream(conf.getBytes(StandardCharsets.UTF_8)),
                        new PrintStream(out, true, StandardCharsets.UTF_8), errStream);
                return new Call(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
            });
        }
    }

    private static Sandbox.Ns hostWithUplink(Sandbox sandbox) {
        Sandbox.Ns host = sandbox.namespace("host");
        sandbox.in(host, "ip", "link", "add", "up0", "type", "veth", "peer", "name", "up1").ok();
        sandbox.in(host, "ip", "addr", "add", "10.233.9.1/24", "dev", "up0").ok();
        sandbox.in(host, "ip", "link", "set", "up0", "up").ok();
        return host;
    }

    @Test
    @SuppressWarnings("unchecked")
    void addReportsTheHostsInterfacesAndAddressesAndWarnsAboutPorts(Sandbox sandbox) throws Exception {
        Sandbox.Ns host = hostWithUplink(sandbox);
        Call add = call(host, "ADD", host.path(), WITH_PORTS);
        assertEquals(0, add.exit(), add.stdout() + add.stderr());
        List<Map<String, Object>> interfaces = (List<Map<String, Object>>) add.json().get("interfaces");
        List<String> names = interfaces.stream().map(i -> (String) i.get("name")).toList();
        // the oracle: ip's view of the same namespace, in index order
        String links = sandbox.in(host, "ip", "-o", "link", "show").ok().stdout();
        List<String> expected = links.lines().map(l -> l.split(": ")[1].split("@")[0]).toList();
        assertEquals(expected, names);
        interfaces.forEach(i -> assertEquals(host.path(), i.get("sandbox")));
        List<String> addresses = new ArrayList<>();
        for (Map<String, Object> ip : (List<Map<String, Object>>) add.json().get("ips")) {
            int at = ((Number) ip.get("interface")).intValue();
            addresses.add(names.get(at) + " " + ip.get("address"));
        }
        assertTrue(addresses.contains("up0 10.233.9.1/24"), addresses.toString());
        assertTrue(add.stderr().contains("published ports are discarded when using host network mode"), add.stderr());
        assertEquals(1, add.stdout().strip().lines().count(), "one document on stdout, no warning: " + add.stdout());
    }

    @Test
    void aBindMountOfTheHostsNamespaceIsTheHost(Sandbox sandbox) throws Exception {
        Sandbox.Ns host = hostWithUplink(sandbox);
        Path runDir = Files.createTempDirectory(Path.of("/run"), "jt-host-");
        try {
            NetNs.attach(runDir, "h", host.path()).close();
            String netns = runDir.resolve("h").toString();
            Call add = call(host, "ADD", netns, CONF);
            assertEquals(0, add.exit(), add.stdout());
            assertTrue(add.stdout().contains("\"10.233.9.1/24\""), add.stdout());
            assertEquals(0, call(host, "CHECK", netns, CHECK_CONF).exit());
            assertEquals("", add.stderr(), "no ports, no warning");
        } finally {
            NetNs.delete(runDir, "h");
            try {
                Sys.unmount(runDir.toString(), Sys.MNT_DETACH);
            } catch (ErrnoException notMounted) {
                // attach failed before the run dir became a mount point
            }
            Files.deleteIfExists(runDir);
        }
    }

    @Test
    void anyOtherNamespaceIsAnInvalidNetns(Sandbox sandbox) throws Exception {
        Sandbox.Ns host = hostWithUplink(sandbox);
        Sandbox.Ns other = sandbox.namespace("other");
        Call add = call(host, "ADD", other.path(), CONF);
        assertEquals(1, add.exit());
        assertEquals(8L, ((Number) add.json().get("code")).longValue(), add.stdout());
        assertTrue(((String) add.json().get("msg")).contains("is not the host's network namespace"), add.stdout());
        Call check = call(host, "CHECK", other.path(), CHECK_CONF);
        assertEquals(8L, ((Number) check.json().get("code")).longValue(), check.stdout());
        Call missing = call(host, "ADD", "/run/netns/jt-missing-" + System.nanoTime(), CONF);
        assertEquals(8L, ((Number) missing.json().get("code")).longValue(), missing.stdout());
    }

    @Test
    void delSucceedsWhateverTheNetnsAndChangesNothing(Sandbox sandbox) throws Exception {
        Sandbox.Ns host = hostWithUplink(sandbox);
        String before = sandbox.in(host, "ip", "-j", "addr").ok().stdout();
        for (String netns : new String[] {host.path(), "", "/run/netns/jt-missing-" + System.nanoTime()}) {
            Call del = call(host, "DEL", netns, CONF);
            assertEquals(0, del.exit(), netns + ": " + del.stdout());
            assertEquals("", del.stdout());
        }
        assertEquals(before, sandbox.in(host, "ip", "-j", "addr").ok().stdout(), "host mode never changes the host");
    }
}
