package io.jnet.cli;

import io.jnet.cni.Json;
import io.jnet.daemon.DaemonClient;
import io.jnet.kernel.testing.Sandbox;
import io.jnet.kernel.testing.SandboxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import static io.jnet.cli.BridgePluginIT.conf;
import static io.jnet.cli.BridgePluginIT.port;
import static io.jnet.cli.BridgePluginIT.ports;
import static io.jnet.cli.BridgePluginIT.v4;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The daemon puts the firewall back by itself: a daemon in the sandbox host (its own socket and state root), one
 * container with SNAT and a published port, then someone else removes part of the firewall. Each time, one second
 * later and without any CNI call, a connection from the outside reaches the published port and the container's
 * connection to the outside is masqueraded.
 */
@ExtendWith(SandboxExtension.class)
class FirewallHealingIT {

    private static final String CONF = conf("1.1.0", "n1", "jt0", v4("10.233.60.0/24"), ports(port("tcp", 8080, 80, null)));

    @Test
    void flushedRulesetDeletedChainAndDeletedElementAreHealedWithinASecond(Sandbox sandbox) throws Exception {
        try (Topology t = new Topology(sandbox); TestDaemon daemon = TestDaemon.in(t.host)) {
            Sandbox.Ns a = t.container("a");
            Launchers.Call add = call(t, daemon, "ADD", "a", a, CONF);
            assertEquals(0, add.exit(), add.stdout() + add.stderr());
            t.serve(a, "tcp", 80);
            t.serve(t.outside, "tcp", 7000);
            assertWorks(t, a, "after the ADD");
            assertEquals(0L, heals(daemon), "the daemon's own writes start no heal");

            String[][] breakages = {
                {"nft", "flush", "ruleset"},
                {"nft", "flush chain inet jnet prerouting; flush chain inet jnet output; delete chain inet jnet published"},
                {"nft", "delete", "element", "inet", "jnet", "pub4", "{ tcp . 8080 }"},
            };
            long expected = 0;
            for (String[] breakage : breakages) {
                t.sandbox.in(t.host, breakage).ok();
                Thread.sleep(1000);
                assertWorks(t, a, "one second after " + String.join(" ", breakage) + "\n" + daemon.log());
                assertEquals(++expected, heals(daemon), daemon.log());
            }

            // a second container comes and goes through the daemon: its own writes, no heal
            Sandbox.Ns b = t.container("b");
            assertEquals(0, call(t, daemon, "ADD", "b", b, CONF.replace("8080", "8081")).exit());
            assertEquals(0, call(t, daemon, "DEL", "b", b, CONF.replace("8080", "8081")).exit());
            Thread.sleep(500);
            assertEquals(expected, heals(daemon), daemon.log());
            assertEquals(0, call(t, daemon, "DEL", "a", a, CONF).exit());
        }
    }

    private static void assertWorks(Topology t, Sandbox.Ns a, String when) {
        assertEquals(Topology.OUTSIDE_IP, t.connect(t.outside, "tcp", Topology.HOST_IP, 8080), "DNAT " + when);
        assertEquals(Topology.HOST_IP, t.connect(a, "tcp", Topology.OUTSIDE_IP, 7000), "SNAT " + when);
    }

    private static Launchers.Call call(Topology t, TestDaemon daemon, String command, String id, Sandbox.Ns ns,
                                       String conf) {
        Map<String, String> env = new HashMap<>(Launchers.env(command, id, ns.path(), "eth0"));
        env.put("JNET_ROOT", daemon.root().toString());
        env.put("JNET_SOCKET", daemon.socket().toString());
        env.put("JNET_SHIM", "daemon");
        env.put("CNI_PATH", Launchers.dist().resolve("bin").toString());
        Sandbox.Run run = Sandbox.run(env, conf.getBytes(StandardCharsets.UTF_8),
                Sandbox.inCommand(t.host, Launchers.bin("jnet-bridge").toString()));
        return new Launchers.Call(run.exit(), run.stdout(), run.stderr());
    }

    private static long heals(TestDaemon daemon) throws Exception {
        Map<String, Object> status = Json.parseObject(DaemonClient.status(daemon.socket()).getBytes(StandardCharsets.UTF_8));
        return ((Number) status.get("heals")).longValue();
    }
}
