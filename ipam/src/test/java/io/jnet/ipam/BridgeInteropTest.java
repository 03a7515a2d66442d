package io.jnet.ipam;

import io.jnet.cni.Json;
import io.jnet.kernel.testing.Sandbox;
import io.jnet.kernel.testing.SandboxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reference bridge plugin with {@code "ipam": {"type": "jnet-ipam"}}: it execs our launcher from CNI_PATH for
 * ADD, CHECK and DEL. Both run inside a sandbox "host" namespace; the container is another sandbox namespace.
 */
@ExtendWith(SandboxExtension.class)
class BridgeInteropTest {

    static final Path BRIDGE = Path.of("/usr/lib/cni/bridge");

    @TempDir
    Path tmp;

    @Test
    void referenceBridgeDelegatesToJnetIpam(Sandbox sandbox) throws Exception {
        SandboxExtension.requireTool(Files.isExecutable(BRIDGE), "the reference plugins (" + BRIDGE + ")");
        Sandbox.Ns host = sandbox.namespace("host");
        Sandbox.Ns ctr = sandbox.namespace("ctr");
        Path cniPath = Launcher.write(tmp.resolve("bin"));
        Path data = tmp.resolve("data");
        String config = """
                {"cniVersion":"1.0.0","name":"jt-ipam","type":"bridge","bridge":"jtbr77","isGateway":true,
                 "ipMasq":false,"ipam":{"type":"jnet-ipam","dataDir":"%s",
                 "ranges":[[{"subnet":"10.233.77.0/24"}]],"routes":[{"dst":"0.0.0.0/0"}]}}""".formatted(data);

        Sandbox.Run add = bridge(host, "ADD", ctr, cniPath, config);
        assertEquals(0, add.exit(), add.stdout() + add.stderr());
        Map<String, Object> result = Json.parseObject(add.stdout().getBytes(StandardCharsets.UTF_8));
        @SuppressWarnings("unchecked")
        Map<String, Object> ip = ((List<Map<String, Object>>) result.get("ips")).get(0);
        assertEquals("10.233.77.2/24", ip.get("address"));
        assertEquals("10.233.77.1", ip.get("gateway"));

        // the container got the address and the default route; the oracle is iproute2 in its namespace
        String addr = sandbox.in(ctr, "ip", "-j", "addr", "show", "dev", "eth0").ok().stdout();
        assertTrue(addr.contains("\"local\":\"10.233.77.2\",\"prefixlen\":24"), addr);
        String routes = sandbox.in(ctr, "ip", "-j", "route", "show", "default").ok().stdout();
        assertTrue(routes.contains("\"gateway\":\"10.233.77.1\""), routes);
        Ipam ipam = Ipam.open(data);
        assertEquals("[10.233.77.2/24 gw 10.233.77.1]", ipam.lease("jt-ipam", "ctr1", "eth0").orElseThrow().ips().toString());

        String withPrev = config.substring(0, config.lastIndexOf('}')) + ",\"prevResult\":" + add.stdout().strip() + "}";
        Sandbox.Run check = bridge(host, "CHECK", ctr, cniPath, withPrev);
        assertEquals(0, check.exit(), check.stdout() + check.stderr());

        Sandbox.Run del = bridge(host, "DEL", ctr, cniPath, withPrev);
        assertEquals(0, del.exit(), del.stdout() + del.stderr());
        assertEquals(Optional.empty(), ipam.lease("jt-ipam", "ctr1", "eth0"));
        assertFalse(sandbox.in(ctr, "ip", "link", "show", "eth0").exit() == 0, "eth0 is still there");
        Sandbox.Run again = bridge(host, "DEL", ctr, cniPath, withPrev);
        assertEquals(0, again.exit(), again.stdout() + again.stderr());
        assertEquals(List.of(), ipam.leases("jt-ipam"));
    }

    private static Sandbox.Run bridge(Sandbox.Ns host, String command, Sandbox.Ns ctr, Path cniPath, String config) {
        Map<String, String> env = new HashMap<>();
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", "ctr1");
        env.put("CNI_NETNS", ctr.path());
        env.put("CNI_IFNAME", "eth0");
        env.put("CNI_PATH", cniPath.toString());
        return Sandbox.run(env, config.getBytes(StandardCharsets.UTF_8), Sandbox.inCommand(host, BRIDGE.toString()));
    }
}
