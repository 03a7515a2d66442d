package io.jnet.cli;

import io.jnet.cni.Json;
import io.jnet.kernel.testing.Sandbox;
import io.jnet.kernel.testing.SandboxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.jnet.cli.Launchers.call;
import static io.jnet.cli.Launchers.env;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** jnet-none through its launcher, as a runtime execs it, for every supported CNI version. */
@ExtendWith(SandboxExtension.class)
class NonePluginIT {

    static Stream<String> versions() {
        return Stream.of(Launchers.VERSIONS);
    }

    private static String conf(String version) {
        return "{\"cniVersion\":\"" + version + "\",\"name\":\"none-net\",\"type\":\"jnet-none\",\"custom\":{\"kept\":true}}";
    }

    @Test
    void versionIsOneJsonDocumentListingEverySupportedVersion() throws Exception {
        Launchers.Call v = call(null, "jnet-none", env("VERSION", null, null, null), "{\"cniVersion\":\"1.1.0\"}");
        assertEquals(0, v.exit());
        assertEquals(List.of(Launchers.VERSIONS), v.get("supportedVersions"));
        assertEquals(1, v.stdout().strip().lines().count(), v.stdout());
    }

    @ParameterizedTest
    @MethodSource("versions")
    void addCheckDelDel(String version, Sandbox sandbox) throws Exception {
        Sandbox.Ns host = sandbox.namespace("host");
        Sandbox.Ns ctr = sandbox.namespace("ctr");

        Launchers.Call add = call(host, "jnet-none", env("ADD", "c1", ctr.path(), "lo"), conf(version));
        assertEquals(0, add.exit(), add.stdout() + add.stderr());
        Map<String, Object> result = add.json();
        assertEquals(version, result.get("cniVersion"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> interfaces = (List<Map<String, Object>>) result.get("interfaces");
        assertEquals("lo", interfaces.get(0).get("name"));
        assertEquals(ctr.path(), interfaces.get(0).get("sandbox"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> ips = (List<Map<String, Object>>) result.get("ips");
        List<String> addresses = new ArrayList<>();
        for (Map<String, Object> ip : ips) {
            addresses.add((String) ip.get("address"));
            assertEquals(0L, ((Number) ip.get("interface")).longValue());
            // "version" exists in 0.3.x and 0.4.0 results and was removed in 1.0.0
            assertEquals(version.startsWith("0."), ip.containsKey("version"), ip.toString());
        }
        assertEquals(List.of("127.0.0.1/8", "::1/128"), addresses);

        // the oracle: iproute2 in the container namespace
        String link = sandbox.in(ctr, "ip", "-j", "link", "show", "lo").ok().stdout();
        assertTrue(link.contains("\"UP\""), link);
        assertTrue(sandbox.in(ctr, "ip", "-j", "addr", "show", "lo").ok().stdout().contains("\"127.0.0.1\""));
        sandbox.in(ctr, "ping", "-c1", "-W2", "127.0.0.1").ok();

        if (!version.startsWith("0.3")) {
            String withPrev = "{\"cniVersion\":\"" + version + "\",\"name\":\"none-net\",\"type\":\"jnet-none\",\"prevResult\":"
                    + add.stdout().strip() + "}";
            Launchers.Call check = call(host, "jnet-none", env("CHECK", "c1", ctr.path(), "lo"), withPrev);
            assertEquals(0, check.exit(), check.stdout() + check.stderr());
            assertEquals("", check.stdout());
        }

        Launchers.Call del = call(host, "jnet-none", env("DEL", "c1", ctr.path(), "lo"), conf(version));
        assertEquals(0, del.exit(), del.stdout() + del.stderr());
        assertEquals("", del.stdout());
        assertFalse(sandbox.in(ctr, "ip", "-j", "link", "show", "lo").ok().stdout().contains("\"UP\""));

        Launchers.Call again = call(host, "jnet-none", env("DEL", "c1", ctr.path(), "lo"), conf(version));
        assertEquals(0, again.exit(), again.stdout() + again.stderr());

        sandbox.run("ip", "netns", "delete", ctr.name()).ok();
        Launchers.Call gone = call(host, "jnet-none", env("DEL", "c1", ctr.path(), "lo"), conf(version));
        assertEquals(0, gone.exit(), "DEL with the netns gone: " + gone.stdout() + gone.stderr());
        Launchers.Call empty = call(host, "jnet-none", env("DEL", "c1", "", "lo"), conf(version));
        assertEquals(0, empty.exit(), "DEL with an empty CNI_NETNS: " + empty.stdout() + empty.stderr());
    }

    @Test
    void checkNamesALoopbackThatIsDown(Sandbox sandbox) throws Exception {
        Sandbox.Ns host = sandbox.namespace("host");
        Sandbox.Ns ctr = sandbox.namespace("ctr");
        Launchers.Call add = call(host, "jnet-none", env("ADD", "c2", ctr.path(), "lo"), conf("1.1.0"));
        assertEquals(0, add.exit(), add.stdout() + add.stderr());
        sandbox.in(ctr, "ip", "link", "set", "lo", "down").ok();
        String withPrev = "{\"cniVersion\":\"1.1.0\",\"name\":\"none-net\",\"type\":\"jnet-none\",\"prevResult\":"
                + add.stdout().strip() + "}";
        Launchers.Call check = call(host, "jnet-none", env("CHECK", "c2", ctr.path(), "lo"), withPrev);
        assertEquals(1, check.exit());
        assertTrue(((String) check.get("msg")).contains("lo"), check.stdout());
    }

    /** Each bad input: one error document on stdout with the right code, exit 1, nothing else. */
    @Test
    void badInputGetsTheRightErrorCode(Sandbox sandbox) throws Exception {
        Sandbox.Ns host = sandbox.namespace("host");
        Sandbox.Ns ctr = sandbox.namespace("ctr");
        String ok = conf("1.1.0");
        assertError(6, null, call(host, "jnet-none", env("ADD", "c1", ctr.path(), "lo"), "{not json"));
        assertError(4, "CNI_COMMAND", call(host, "jnet-none", without(env("ADD", "c1", ctr.path(), "lo"), "CNI_COMMAND"), ok));
        assertError(4, "CNI_CONTAINERID", call(host, "jnet-none", env("ADD", null, ctr.path(), "lo"), ok));
        assertError(4, "CNI_IFNAME", call(host, "jnet-none", env("ADD", "c1", ctr.path(), null), ok));
        assertError(4, "CNI_NETNS", call(host, "jnet-none", env("ADD", "c1", null, "lo"), ok));
        assertError(1, "9.9.9", call(host, "jnet-none", env("ADD", "c1", ctr.path(), "lo"),
                ok.replace("1.1.0", "9.9.9")));
        assertError(4, "FROB", call(host, "jnet-none", env("FROB", "c1", ctr.path(), "lo"), ok));
        assertError(4, null, call(host, "jnet-none", env("ADD", "a/b", ctr.path(), "lo"), ok));
        assertError(4, null, call(host, "jnet-none", env("ADD", "..", ctr.path(), "lo"), ok));
        assertError(8, "/run/netns/jt-missing", call(host, "jnet-none",
                env("ADD", "c1", "/run/netns/jt-missing-" + System.nanoTime(), "lo"), ok));
        assertError(1, null, call(host, "jnet-none", env("CHECK", "c1", ctr.path(), "lo"), conf("0.3.1")));
        byte[] garbage = new byte[1 << 20];
        new java.util.Random(42).nextBytes(garbage);
        assertError(6, null, call(host, "jnet-none", env("ADD", "c1", ctr.path(), "lo"), garbage));
        // none of that touched the container's loopback
        assertFalse(sandbox.in(ctr, "ip", "-j", "link", "show", "lo").ok().stdout().contains("\"UP\""));
    }

    private static Map<String, String> without(Map<String, String> env, String key) {
        env.remove(key);
        return env;
    }

    private static void assertError(int code, String mentions, Launchers.Call call) throws Exception {
        assertEquals(1, call.exit(), call.stdout() + call.stderr());
        Object doc = Json.parse(call.stdout());   // exactly one document: parse rejects trailing content
        assertTrue(doc instanceof Map, call.stdout());
        Map<String, Object> error = call.json();
        assertEquals((long) code, ((Number) error.get("code")).longValue(), call.stdout());
        String msg = (String) error.get("msg");
        assertTrue(msg != null && !msg.isBlank(), call.stdout());
        if (mentions != null) {
            assertTrue(call.stdout().contains(mentions), "expected the error to name " + mentions + ": " + call.stdout());
        }
    }
}
