package io.jnet.cli;

import io.jnet.kernel.testing.Sandbox;
import io.jnet.kernel.testing.SandboxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A plugin linked into another directory (ln -s …/bin/jnet-none /opt/cni/bin/) finds its distribution. */
@ExtendWith(SandboxExtension.class)
class SymlinkedLaunchersIT {

    @Test
    void theShimTheJvmLauncherAndJnetWorkThroughSymlinks(Sandbox sandbox) throws Exception {
        Sandbox.Ns host = sandbox.namespace("host");
        Sandbox.Ns ctr = sandbox.namespace("ctr");
        Path dir = Files.createTempDirectory("jt-link-");
        try {
            Path dist = Launchers.dist();
            Path shim = Files.createSymbolicLink(dir.resolve("jnet-none"), dist.resolve("bin/jnet-none"));
            Path launcher = Files.exists(dist.resolve("libexec/jnet-none"))
                    ? Files.createSymbolicLink(dir.resolve("jvm-jnet-none"), dist.resolve("libexec/jnet-none")) : shim;
            Path jnet = Files.createSymbolicLink(dir.resolve("jnet"), dist.resolve("bin/jnet"));
            String conf = "{\"cniVersion\":\"1.1.0\",\"name\":\"lo-net\",\"type\":\"jnet-none\"}";
            for (Path plugin : new Path[] {shim, launcher}) {
                Map<String, String> env = new HashMap<>(Launchers.env("ADD", "c1", ctr.path(), "lo"));
                env.put("JNET_SHIM", "direct");
                Sandbox.Run add = Sandbox.run(env, conf.getBytes(StandardCharsets.UTF_8),
                        Sandbox.inCommand(host, plugin.toString()));
                assertEquals(0, add.exit(), plugin + ": " + add.stdout() + add.stderr());
                assertTrue(add.stdout().contains("\"127.0.0.1/8\""), add.stdout());
                assertEquals("", add.stderr(), plugin + " printed on stderr");
            }
            Sandbox.Run version = Sandbox.run(jnet.toString(), "--version");
            assertEquals(0, version.exit(), version.stdout() + version.stderr());
            assertTrue(version.stdout().startsWith("jnet "), version.stdout());
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }
}
