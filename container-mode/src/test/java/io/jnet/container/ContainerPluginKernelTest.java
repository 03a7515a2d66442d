package io.jnet.container;

import io.jnet.cni.Json;
import io.jnet.cni.PluginMain;
import io.jnet.kernel.netns.NetNs;
import io.jnet.kernel.sys.ErrnoException;
import io.jnet.kernel.sys.Sys;
import io.jnet.kernel.testing.Sandbox;
import io.jnet.kernel.testing.SandboxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** jnet-container against a store in a temporary directory and a sandbox namespace as the leader's. */
@ExtendWith(SandboxExtension.class)
class ContainerPluginKernelTest {

    @TempDir
    Path root;

    record Call(int exit, String stdout) {
        long code() throws Exception {
            return ((Number) Json.parseObject(stdout.getBytes(StandardCharsets.UTF_8)).get("code")).longValue();
        }
    }

    private static String conf(String container, String extra) {
        return "{\"cniVersion\":\"1.1.0\",\"name\":\"container\",\"type\":\"jnet-container\""
                + (container == null ? "" : ",\"container\":\"" + container + "\"") + extra + "}";
    }

    private Call call(Path defaultRoot, String command, String netns, String conf) {
        var out = new ByteArrayOutputStream();
        int exit = PluginMain.run(new ContainerPlugin(defaultRoot), "jnet-container", Map.of("CNI_COMMAND", command,
                        "CNI_CONTAINERID", "member1", "CNI_NETNS", netns, "CNI_IFNAME", "eth0"),
                new ByteArrayInputStream(conf.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()));
        return new Call(exit, out.toString(StandardCharsets.UTF_8));
    }

    /** A record as {@code jnet create} writes one, with the fields the plugin reads (and one it does not). */
    static ContainerDirectory.Entry record(Path root, String name, String netns) throws Exception {
        String id = String.format("%064x", new java.math.BigInteger(1, name.getBytes(StandardCharsets.UTF_8)));
        Path dir = root.resolve(ContainerDirectory.DIR);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(name + ContainerDirectory.SUFFIX), Json.writePretty(Map.of("name", name, "id", id,
                "netns", netns, "mode", "none")));
        return new ContainerDirectory.Entry(name, id, netns);
    }

    /** A leader "db" whose namespace is the sandbox's, with an eth0 that has an address. */
    private ContainerDirectory.Entry leader(Sandbox sandbox, Sandbox.Ns ns) throws Exception {
        sandbox.in(ns, "ip", "link", "add", "eth0", "type", "veth", "peer", "name", "peer0").ok();
        sandbox.in(ns, "ip", "addr", "add", "10.233.10.2/24", "dev", "eth0").ok();
        return record(root, "db", ns.path());
    }

    @Test
    void addReportsTheLeadersInterfacesForItsNetnsOrABindMountOfIt(Sandbox sandbox) throws Exception {
        Sandbox.Ns ns = sandbox.namespace("db");
        ContainerDirectory.Entry db = leader(sandbox, ns);
        Call add = call(root, "ADD", ns.path(), conf("db", ""));
        assertEquals(0, add.exit(), add.stdout());
        Map<String, Object> result = Json.parseObject(add.stdout().getBytes(StandardCharsets.UTF_8));
        assertTrue(add.stdout().contains("\"10.233.10.2/24\""), add.stdout());
        @SuppressWarnings("unchecked")
        List<String> names = ((List<Map<String, Object>>) result.get("interfaces")).stream()
                .map(i -> (String) i.get("name")).toList();
        assertEquals(Set.of("lo", "peer0", "eth0"), Set.copyOf(names));

        assertEquals(0, call(root, "ADD", ns.path(), conf(db.id().substring(0, 7), "")).exit(), "by id prefix");

        Path runDir = Files.createTempDirectory(Path.of("/run"), "jt-ctr-");
        try {
            NetNs.attach(runDir, "m1", ns.path()).close();
            Call viaMount = call(root, "ADD", runDir.resolve("m1").toString(), conf("db", ""));
            assertEquals(0, viaMount.exit(), viaMount.stdout());
        } finally {
            NetNs.delete(runDir, "m1");
            try {
                Sys.unmount(runDir.toString(), Sys.MNT_DETACH);
            } catch (ErrnoException notMounted) {
                // attach failed before the run dir became a mount point
            }
            Files.deleteIfExists(runDir);
        }
    }

    @Test
    void theConfigsDataDirWinsOverTheDefaultRoot(Sandbox sandbox) throws Exception {
        Sandbox.Ns ns = sandbox.namespace("db");
        leader(sandbox, ns);
        Path elsewhere = root.resolve("no-store-here");
        assertEquals(3, call(elsewhere, "ADD", ns.path(), conf("db", "")).code());
        Call add = call(elsewhere, "ADD", ns.path(), conf("db", ",\"dataDir\":\"" + root + "\""));
        assertEquals(0, add.exit(), add.stdout());
    }

    @Test
    void errorsHaveTheRightCodes(Sandbox sandbox) throws Exception {
        Sandbox.Ns ns = sandbox.namespace("db");
        Sandbox.Ns other = sandbox.namespace("other");
        leader(sandbox, ns);
        assertEquals(3, call(root, "ADD", ns.path(), conf("nobody", "")).code(), "unknown container");
        Call foreign = call(root, "ADD", other.path(), conf("db", ""));
        assertEquals(8, foreign.code(), foreign.stdout());
        assertTrue(foreign.stdout().contains("is not the network namespace of container db"), foreign.stdout());
        assertEquals(7, call(root, "ADD", ns.path(), conf(null, "")).code(), "no \"container\"");
        assertEquals(8, call(root, "ADD", "/run/netns/jt-missing-" + System.nanoTime(), conf("db", "")).code());

        record(root, "gone", "/run/netns/jt-missing-" + System.nanoTime());
        Call gone = call(root, "ADD", ns.path(), conf("gone", ""));
        assertEquals(3, gone.code(), gone.stdout());
        assertTrue(gone.stdout().contains("has no network namespace"), gone.stdout());
    }

    @Test
    void checkNamesAnInterfaceThatVanishedAndDelAlwaysSucceeds(Sandbox sandbox) throws Exception {
        Sandbox.Ns ns = sandbox.namespace("db");
        leader(sandbox, ns);
        Call add = call(root, "ADD", ns.path(), conf("db", ""));
        String withPrev = conf("db", ",\"prevResult\":" + add.stdout().strip());
        assertEquals(0, call(root, "CHECK", ns.path(), withPrev).exit());
        sandbox.in(ns, "ip", "link", "del", "eth0").ok();   // and its peer with it
        Call check = call(root, "CHECK", ns.path(), withPrev);
        assertEquals(100, check.code(), check.stdout());
        assertTrue(check.stdout().contains("eth0 of the previous result is gone")
                || check.stdout().contains("peer0 of the previous result is gone"), check.stdout());
        for (String netns : new String[] {ns.path(), "", "/run/netns/jt-missing-" + System.nanoTime()}) {
            Call del = call(root, "DEL", netns, conf("db", ""));
            assertEquals(0, del.exit(), del.stdout());
            assertEquals("", del.stdout());
        }
        assertEquals(0, call(root, "DEL", ns.path(), conf("nobody", "")).exit(), "DEL of an unknown container");
    }
}
