package io.jnet.cli;

import io.jnet.kernel.testing.Sandbox;
import io.jnet.kernel.testing.SandboxExtension;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.jnet.cli.Launchers.call;
import static io.jnet.cli.Launchers.env;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** jnet-ipam through its launcher, as a main plugin would exec it, for every supported CNI version. */
@ExtendWith(SandboxExtension.class)
class IpamPluginIT {

    static Stream<String> versions() {
        return Stream.of(Launchers.VERSIONS);
    }

    private static String conf(String version, Path dataDir) {
        return "{\"cniVersion\":\"" + version + "\",\"name\":\"ipam-net\",\"type\":\"some-main-plugin\",\"ipam\":"
                + "{\"type\":\"jnet-ipam\",\"subnet\":\"10.77.0.0/24\",\"dataDir\":\"" + dataDir + "\"}}";
    }

    @ParameterizedTest
    @MethodSource("versions")
    void addIsIdempotentCheckPassesDelReleases(String version, Sandbox sandbox) throws Exception {
        Sandbox.Ns host = sandbox.namespace("host");
        Sandbox.Ns ctr = sandbox.namespace("ctr");
        Path data = Files.createTempDirectory("jt-ipam-");
        try {
            String conf = conf(version, data);
            Launchers.Call add = call(host, "jnet-ipam", env("ADD", "c1", ctr.path(), "eth0"), conf);
            assertEquals(0, add.exit(), add.stdout() + add.stderr());
            assertEquals(version, add.get("cniVersion"));
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> ips = (List<Map<String, Object>>) add.json().get("ips");
            assertEquals("10.77.0.2/24", ips.get(0).get("address"));
            assertEquals("10.77.0.1", ips.get(0).get("gateway"));

            Launchers.Call again = call(host, "jnet-ipam", env("ADD", "c1", ctr.path(), "eth0"), conf);
            assertEquals(add.stdout(), again.stdout(), "a repeated ADD returns the same lease");
            Launchers.Call other = call(host, "jnet-ipam", env("ADD", "c2", ctr.path(), "eth0"), conf);
            assertTrue(other.stdout().contains("\"10.77.0.3/24\""), other.stdout());

            if (!version.startsWith("0.3")) {
                // CHECK verifies the lease against the ADD's result, which the spec requires as prevResult
                String checkConf = "{\"prevResult\":" + add.stdout().trim() + "," + conf.strip().substring(1);
                Launchers.Call check = call(host, "jnet-ipam", env("CHECK", "c1", ctr.path(), "eth0"), checkConf);
                assertEquals(0, check.exit(), check.stdout() + check.stderr());
            }
            for (String id : new String[] {"c1", "c2", "c1"}) {
                Launchers.Call del = call(host, "jnet-ipam", env("DEL", id, ctr.path(), "eth0"), conf);
                assertEquals(0, del.exit(), del.stdout() + del.stderr());
                assertEquals("", del.stdout());
            }
            Launchers.Call reuse = call(host, "jnet-ipam", env("ADD", "c3", ctr.path(), "eth0"), conf);
            assertEquals(0, reuse.exit(), reuse.stdout() + reuse.stderr());
            assertEquals(0, call(host, "jnet-ipam", env("DEL", "c3", ctr.path(), "eth0"), conf).exit());

            Launchers.Call bad = call(host, "jnet-ipam", env("ADD", "c4", ctr.path(), "eth0"),
                    "{\"cniVersion\":\"" + version + "\",\"name\":\"ipam-net\",\"ipam\":{\"type\":\"jnet-ipam\"}}");
            assertEquals(1, bad.exit(), bad.stdout());
            assertEquals(7, ((Number) bad.get("code")).intValue(), bad.stdout());
        } finally {
            try (Stream<Path> tree = Files.walk(data)) {
                for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
