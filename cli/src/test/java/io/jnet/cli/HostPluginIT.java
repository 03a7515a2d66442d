package io.jnet.cli;

import io.jnet.kernel.testing.Sandbox;
import io.jnet.kernel.testing.SandboxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.jnet.cli.Launchers.call;
import static io.jnet.cli.Launchers.env;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** jnet-host through its launcher, run in a sandbox namespace that plays the host, for every CNI version. */
@ExtendWith(SandboxExtension.class)
class HostPluginIT {

    static Stream<String> versions() {
        return Stream.of(Launchers.VERSIONS);
    }

    private static String conf(String version, String extra) {
        return "{\"cniVersion\":\"" + version + "\",\"name\":\"host\",\"type\":\"jnet-host\"" + extra + "}";
    }

    private static Sandbox.Ns host(Sandbox sandbox) {
        Sandbox.Ns host = sandbox.namespace("host");
        sandbox.in(host, "ip", "link", "add", "up0", "type", "veth", "peer", "name", "up1").ok();
        sandbox.in(host, "ip", "addr", "add", "10.233.12.1/24", "dev", "up0").ok();
        sandbox.in(host, "ip", "link", "set", "up0", "up").ok();
        return host;
    }

    @ParameterizedTest
    @MethodSource("versions")
    @SuppressWarnings("unchecked")
    void addCheckDelDelChangeNothing(String version, Sandbox sandbox) throws Exception {
        Sandbox.Ns host = host(sandbox);
        String before = sandbox.in(host, "ip", "-j", "addr").ok().stdout();

        Launchers.Call add = call(host, "jnet-host", env("ADD", "c1", host.path(), "eth0"), conf(version, ""));
        assertEquals(0, add.exit(), add.stdout() + add.stderr());
        assertEquals("", add.stderr());
        Map<String, Object> result = add.json();
        assertEquals(version, result.get("cniVersion"));
        List<Map<String, Object>> interfaces = (List<Map<String, Object>>) result.get("interfaces");
        List<String> names = interfaces.stream().map(i -> (String) i.get("name")).toList();
        assertEquals(List.of("lo", "up1", "up0"), names);
        boolean found = false;
        for (Map<String, Object> ip : (List<Map<String, Object>>) result.get("ips")) {
            assertEquals(version.startsWith("0."), ip.containsKey("version"), ip.toString());
            found |= ip.get("address").equals("10.233.12.1/24")
                    && names.get(((Number) ip.get("interface")).intValue()).equals("up0");
        }
        assertTrue(found, "the host's address on its interface: " + add.stdout());

        if (!version.startsWith("0.3")) {
            Launchers.Call check = call(host, "jnet-host", env("CHECK", "c1", host.path(), "eth0"),
                    conf(version, ",\"prevResult\":" + add.stdout().strip()));
            assertEquals(0, check.exit(), check.stdout() + check.stderr());
            assertEquals("", check.stdout());
        }
        for (int i = 0; i < 2; i++) {
            Launchers.Call del = call(host, "jnet-host", env("DEL", "c1", host.path(), "eth0"), conf(version, ""));
            assertEquals(0, del.exit(), del.stdout() + del.stderr());
            assertEquals("", del.stdout());
        }
        assertEquals(before, sandbox.in(host, "ip", "-j", "addr").ok().stdout(), "host mode leaves nothing behind");
    }

    @Test
    void publishedPortsAreIgnoredWithAWarningOnStderr(Sandbox sandbox) throws Exception {
        Sandbox.Ns host = host(sandbox);
        Launchers.Call add = call(host, "jnet-host", env("ADD", "c1", host.path(), "eth0"), conf("1.1.0",
                ",\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":8080,\"containerPort\":80,\"protocol\":\"tcp\"},"
                        + "{\"hostPort\":53,\"containerPort\":53,\"protocol\":\"udp\"}]}"));
        assertEquals(0, add.exit(), add.stdout() + add.stderr());
        assertEquals("jnet-host: WARNING: published ports are discarded when using host network mode (2 port "
                + "mappings ignored)\n", add.stderr());
        assertEquals(1, add.stdout().strip().lines().count());
        assertTrue(add.stdout().contains("\"10.233.12.1/24\""), add.stdout());
        assertTrue(sandbox.in(host, "nft", "list", "ruleset").ok().stdout().isBlank(), "no firewall rule was made");
    }

    @Test
    void badInputGetsTheRightErrorCode(Sandbox sandbox) throws Exception {
        Sandbox.Ns host = host(sandbox);
        Sandbox.Ns other = sandbox.namespace("other");
        String ok = conf("1.1.0", "");
        Launchers.Call foreign = call(host, "jnet-host", env("ADD", "c1", other.path(), "eth0"), ok);
        assertError(8, "is not the host's network namespace", foreign);
        assertError(8, "is not the host's network namespace", call(host, "jnet-host",
                env("CHECK", "c1", other.path(), "eth0"), conf("1.1.0", ",\"prevResult\":{\"cniVersion\":\"1.1.0\"}")));
        assertError(8, "jt-missing", call(host, "jnet-host",
                env("ADD", "c1", "/run/netns/jt-missing-" + System.nanoTime(), "eth0"), ok));
        assertError(4, "CNI_NETNS", call(host, "jnet-host", env("ADD", "c1", null, "eth0"), ok));
        assertError(6, null, call(host, "jnet-host", env("ADD", "c1", host.path(), "eth0"), "{not json"));
        assertError(7, "runtimeConfig.portMappings", call(host, "jnet-host", env("ADD", "c1", host.path(), "eth0"),
                conf("1.1.0", ",\"runtimeConfig\":{\"portMappings\":{}}")));
        assertError(1, null, call(host, "jnet-host", env("CHECK", "c1", host.path(), "eth0"), conf("0.3.1", "")));
        assertError(1, "9.9.9", call(host, "jnet-host", env("ADD", "c1", host.path(), "eth0"), conf("9.9.9", "")));
    }

    @Test
    void versionIsAnsweredByTheLauncher() throws Exception {
        Launchers.Call v = call(null, "jnet-host", env("VERSION", null, null, null), "{\"cniVersion\":\"1.1.0\"}");
        assertEquals(0, v.exit());
        assertEquals(List.of(Launchers.VERSIONS), v.get("supportedVersions"));
    }

    static void assertError(int code, String mentions, Launchers.Call call) throws Exception {
        assertEquals(1, call.exit(), call.stdout() + call.stderr());
        Map<String, Object> error = call.json();
        assertEquals((long) code, ((Number) error.get("code")).longValue(), call.stdout());
        assertEquals(1, call.stdout().strip().lines().count(), call.stdout());
        if (mentions != null) {
            assertTrue(call.stdout().contains(mentions), "expected the error to name " + mentions + ": "
                    + call.stdout());
        }
    }
}
