package io.jnet.cli;

import io.jnet.kernel.testing.Sandbox;
import io.jnet.kernel.testing.SandboxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A delegated IPAM plugin run by the daemon for a shim's call gets the caller's environment (its CNI_PATH, its JNET_*
 * variables), not the daemon's, and its stderr reaches the caller, not the daemon's log.
 */
@ExtendWith(SandboxExtension.class)
class DelegatedIpamDaemonIT {

    @Test
    void theDelegateGetsTheCallersEnvironmentAndItsStderrReachesTheCaller(Sandbox sandbox) throws Exception {
        Path bin = Files.createTempDirectory("jt-ipam-");
        try (Topology t = new Topology(sandbox); TestDaemon daemon = TestDaemon.in(t.host)) {
            Path seen = bin.resolve("seen");
            Path script = bin.resolve("jt-delegate");
            Files.writeString(script, "#!/bin/sh\n"
                    + "echo \"$CNI_COMMAND CNI_PATH=$CNI_PATH JNET_MARK=${JNET_MARK-unset}\" >> " + seen + "\n"
                    + "echo \"jt-delegate says hello to $CNI_CONTAINERID\" >&2\n"
                    + "cat > /dev/null\n"
                    + "if [ \"$CNI_COMMAND\" = ADD ]; then echo '{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":"
                    + "\"10.233.70.5/24\",\"gateway\":\"10.233.70.1\"}]}'; fi\n");
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
            Sandbox.Ns c = t.container("c");
            String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"dn\",\"type\":\"jnet-bridge\",\"bridge\":\"jt0\","
                    + "\"ipam\":{\"type\":\"jt-delegate\"}}";
            String cniPath = bin + ":" + Launchers.dist().resolve("bin");

            Sandbox.Run add = call(t, daemon, "ADD", c, conf, cniPath);
            assertEquals(0, add.exit(), add.stdout() + add.stderr());
            assertTrue(add.stdout().contains("\"10.233.70.5/24\""), add.stdout());
            assertTrue(add.stderr().contains("jt-delegate says hello to c1"), "the caller's stderr: " + add.stderr());
            // the daemon logs a call once its answer is written, so the line may follow the answer by a moment
            for (int i = 0; i < 100 && !daemon.log().contains("ADD jnet-bridge container=c1"); i++) {
                Thread.sleep(50);
            }
            assertTrue(daemon.log().contains("ADD jnet-bridge container=c1"), "the daemon ran it: " + daemon.log());
            assertFalse(daemon.log().contains("says hello"), "the daemon's log: " + daemon.log());

            Sandbox.Run del = call(t, daemon, "DEL", c, conf, cniPath);
            assertEquals(0, del.exit(), del.stdout() + del.stderr());
            assertTrue(del.stderr().contains("jt-delegate says hello to c1"), del.stderr());
            assertEquals(List.of("ADD CNI_PATH=" + cniPath + " JNET_MARK=from-the-caller",
                    "DEL CNI_PATH=" + cniPath + " JNET_MARK=from-the-caller"), Files.readAllLines(seen));
        } finally {
            try (var files = Files.walk(bin)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static Sandbox.Run call(Topology t, TestDaemon daemon, String command, Sandbox.Ns ns, String conf,
                                    String cniPath) {
        Map<String, String> env = new HashMap<>(Launchers.env(command, "c1", ns.path(), "eth0"));
        env.put("CNI_PATH", cniPath);
        env.put("JNET_MARK", "from-the-caller");
        env.put("JNET_ROOT", daemon.root().toString());
        env.put("JNET_SOCKET", daemon.socket().toString());
        env.put("JNET_SHIM", "daemon");
        return Sandbox.run(env, conf.getBytes(StandardCharsets.UTF_8),
                Sandbox.inCommand(t.host, Launchers.bin("jnet-bridge").toString()));
    }
}
