package io.jnet.cli;

import io.jnet.kernel.testing.Sandbox;
import io.jnet.kernel.testing.SandboxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
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
        try {
            Sandbox.Run install = install(home, bin, conf);
            assertEquals(0, install.exit(), install.stdout() + install.stderr());
            try (Stream<Path> files = Files.list(bin)) {
                assertEquals(List.of("jnet-container", "jnet-host", "jnet-none"),
                        files.map(p -> p.getFileName().toString()).sorted().toList());
            }
            for (String plugin : new String[] {"jnet-container", "jnet-host", "jnet-none"}) {
                assertTrue(Files.isExecutable(bin.resolve(plugin)));
                assertTrue(Files.readString(bin.resolve(plugin)).contains("H='" + home + "' # jnet-home"));
            }
            assertTrue(Files.isDirectory(conf));
            assertEquals(Files.readString(Launchers.dist().resolve("cache/cni.jsa.id")),
                    Files.readString(home.resolve("cache/cni.jsa.id")), "the archive was recorded for the home");

            assertPluginRunsFromTheArchive(sandbox, bin, tmp);

            // again over the first installation: replaced, and nothing of the old one is left beside it
            assertEquals(0, install(home, bin, conf).exit());
            try (Stream<Path> siblings = Files.list(home.getParent())) {
                assertEquals(List.of("jnet"), siblings.map(p -> p.getFileName().toString()).toList());
            }
            assertPluginRunsFromTheArchive(sandbox, bin, tmp);

            Path notJnet = Files.createDirectories(tmp.resolve("elsewhere"));
            Files.writeString(notJnet.resolve("precious"), "x");
            Sandbox.Run refused = install(notJnet, bin, conf);
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

    private static Sandbox.Run install(Path home, Path bin, Path conf) {
        return Sandbox.run(Launchers.bin("jnet").toString(), "install", "--home", home.toString(), "--cni-bin-dir",
                bin.toString(), "--cni-conf-dir", conf.toString());
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
