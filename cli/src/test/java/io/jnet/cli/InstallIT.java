package io.jnet.cli;

import io.jnet.cni.Json;
import io.jnet.kernel.testing.Sandbox;
import io.jnet.kernel.testing.SandboxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** jnet install into temporary directories, never /opt/cni/bin or /etc/cni. */
@ExtendWith(SandboxExtension.class)
class InstallIT {

    @Test
    void installedLaunchersRunFromTheCniBinDirWithTheirOwnArchive(Sandbox sandbox) throws Exception {
        Path tmp = Files.createTempDirectory("jt-install-");
        Path home = tmp.resolve("opt/jnet");
        Path bin = tmp.resolve("cni/bin");
        Path conf = tmp.resolve("cni/net.d");
        Path root = tmp.resolve("state");
        try {
            Sandbox.Run install = install(home, bin, conf, root);
            assertEquals(0, install.exit(), install.stdout() + install.stderr());
            List<String> plugins = List.of("jnet-bridge", "jnet-container", "jnet-host", "jnet-ipam", "jnet-none");
            try (Stream<Path> files = Files.list(bin)) {
                assertEquals(plugins, files.map(p -> p.getFileName().toString()).sorted().toList());
            }
            for (String plugin : plugins) {
                assertTrue(Files.isExecutable(bin.resolve(plugin)));
                // a native shim is linked to the home's (it finds the home through /proc/self/exe); a script is copied
                Path launcher = Files.isSymbolicLink(bin.resolve(plugin)) ? home.resolve("libexec").resolve(plugin)
                        : bin.resolve(plugin);
                assertTrue(Files.readString(launcher).contains("H='" + home + "' # jnet-home"));
            }
            assertTrue(Files.readString(bin.resolveSibling("systemd").resolve("jnet.service"))
                    .contains("ExecStart=" + home + "/bin/jnet daemon"));
            assertTrue(Files.readString(bin.resolveSibling("systemd").resolve("jnet.socket"))
                    .contains("ListenStream=/run/jnet/jnet.sock"));
            // the default network's conflist, with the state root as its dataDir; nothing else in the directory
            try (Stream<Path> files = Files.list(conf)) {
                assertEquals(List.of("10-jnet-bridge.conflist"), files.map(p -> p.getFileName().toString()).toList());
            }
            Path conflist = conf.resolve("10-jnet-bridge.conflist");
            assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(conflist)));
            Map<String, Object> parsed = Json.parseObject(Files.readAllBytes(conflist));
            assertEquals("bridge", parsed.get("name"));
            assertEquals("1.0.0", parsed.get("cniVersion"));
            @SuppressWarnings("unchecked")
            Map<String, Object> plugin = ((List<Map<String, Object>>) parsed.get("plugins")).get(0);
            assertEquals("jnet-bridge", plugin.get("type"));
            assertEquals("jnet0", plugin.get("bridge"));
            assertEquals(root.toString(), plugin.get("dataDir"));
            assertTrue(Files.exists(root.resolve("networks/bridge.json")), "the default network was made");
            assertEquals(Files.readString(Launchers.dist().resolve("cache/cni.jsa.id")),
                    Files.readString(home.resolve("cache/cni.jsa.id")), "the archive was recorded for the home");

            assertPluginRunsFromTheArchive(sandbox, bin, tmp);

            // again over the first installation: replaced, and nothing of the old one is left beside it
            assertEquals(0, install(home, bin, conf, root).exit());
            try (Stream<Path> siblings = Files.list(home.getParent())) {
                assertEquals(List.of("jnet"), siblings.map(p -> p.getFileName().toString()).toList());
            }
            assertPluginRunsFromTheArchive(sandbox, bin, tmp);

            Path notJnet = Files.createDirectories(tmp.resolve("elsewhere"));
            Files.writeString(notJnet.resolve("precious"), "x");
            Sandbox.Run refused = install(notJnet, bin, conf, root);
            assertEquals(1, refused.exit());
            assertTrue(refused.stderr().contains("is not a jnet installation"), refused.stderr());
            assertTrue(Files.exists(notJnet.resolve("precious")));
        } finally {
            try (Stream<Path> tree = Files.walk(tmp)) {
                for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /** jnet install with every directory in the test's temporary directory, the state root included. */
    private static Sandbox.Run install(Path home, Path bin, Path conf, Path root) {
        return Sandbox.run(Launchers.bin("jnet").toString(), "--root", root.toString(), "install", "--home",
                home.toString(), "--cni-bin-dir", bin.toString(), "--cni-conf-dir", conf.toString(),
                "--systemd-dir", bin.resolveSibling("systemd").toString());
    }

    /** ADD through the installed launcher with -Xshare:on, which fails unless the archive maps. */
    private static void assertPluginRunsFromTheArchive(Sandbox sandbox, Path bin, Path tmp) throws Exception {
        Sandbox.Ns ns = sandbox.namespace("inst");
        Path log = tmp.resolve("class-load.log");
        Map<String, String> env = Launchers.env("ADD", "c1", ns.path(), "lo");
        env.put("JNET_JAVA_OPTS", "-Xshare:on -Xlog:class+load:file=" + log);
        Sandbox.Run add = Sandbox.run(env, "{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"type\":\"jnet-none\"}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8), bin.resolve("jnet-none").toString());
        assertEquals(0, add.exit(), add.stdout() + add.stderr());
        assertTrue(add.stdout().contains("\"127.0.0.1/8\""), add.stdout());
        assertTrue(Files.readString(log).contains("io.jnet.none.NonePlugin source: shared objects file (top)"),
                "the plugin's classes come from the archive");
    }
}
