package io.jnet.cli;

import io.jnet.kernel.testing.Sandbox;
import io.jnet.kernel.testing.SandboxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;

import static io.jnet.cli.HostPluginIT.assertError;
import static io.jnet.cli.Launchers.call;
import static io.jnet.cli.Launchers.env;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * jnet-container through its launcher, naming a container that {@code jnet create} made in the same store
 * ({@code JNET_ROOT}), for every CNI version.
 */
@ExtendWith(SandboxExtension.class)
class ContainerPluginIT {

    private static String conf(String version, String container, String extra) {
        return "{\"cniVersion\":\"" + version + "\",\"name\":\"shared\",\"type\":\"jnet-container\""
                + (container == null ? "" : ",\"container\":\"" + container + "\"") + extra + "}";
    }

    /** A container "db" made by the CLI, with an eth0 (a veth) that has an address. */
    private static CliSandbox withLeader(Sandbox sandbox) throws Exception {
        CliSandbox cli = new CliSandbox(sandbox);
        cli.jnet("create", "--name", "db", "--network", "none").ok();
        cli.in(cli.netns("db"), "ip", "link", "add", "eth0", "type", "veth", "peer", "name", "peer0").ok();
        cli.in(cli.netns("db"), "ip", "addr", "add", "10.233.13.2/24", "dev", "eth0").ok();
        return cli;
    }

    private static Map<String, String> env(CliSandbox cli, String command, String netns) {
        Map<String, String> env = Launchers.env(command, "member1", netns, "eth0");
        env.put("JNET_ROOT", cli.root.toString());
        return env;
    }

    @Test
    @SuppressWarnings("unchecked")
    void addCheckDelDelForEveryVersion(Sandbox sandbox) throws Exception {
        try (CliSandbox cli = withLeader(sandbox)) {
            String netns = cli.netns("db");
            for (String version : Launchers.VERSIONS) {
                Launchers.Call add = call(cli.host, "jnet-container", env(cli, "ADD", netns), conf(version, "db", ""));
                assertEquals(0, add.exit(), version + ": " + add.stdout() + add.stderr());
                assertEquals(version, add.get("cniVersion"));
                List<Map<String, Object>> interfaces = add.get("interfaces");
                assertEquals(cli.links(netns), interfaces.stream().map(i -> i.get("name")).toList(), version);
                interfaces.forEach(i -> assertEquals(netns, i.get("sandbox")));
                assertTrue(add.stdout().contains("\"10.233.13.2/24\""), add.stdout());
                if (!version.startsWith("0.3")) {
                    Launchers.Call check = call(cli.host, "jnet-container", env(cli, "CHECK", netns),
                            conf(version, "db", ",\"prevResult\":" + add.stdout().strip()));
                    assertEquals(0, check.exit(), version + ": " + check.stdout());
                }
                for (int i = 0; i < 2; i++) {
                    Launchers.Call del = call(cli.host, "jnet-container", env(cli, "DEL", netns),
                            conf(version, "db", ""));
                    assertEquals(0, del.exit(), del.stdout());
                    assertEquals("", del.stdout());
                }
                assertEquals(List.of("lo", "peer0", "eth0"), cli.links(netns), "DEL leaves the leader's links");
            }
        }
    }

    @Test
    void theStoreIsFoundByIdPrefixAndByDataDir(Sandbox sandbox) throws Exception {
        try (CliSandbox cli = withLeader(sandbox)) {
            String netns = cli.netns("db");
            String id = (String) CliSandbox.jsonArray(cli.jnet("inspect", "db").ok().stdout()).get(0).get("id");
            assertEquals(0, call(cli.host, "jnet-container", env(cli, "ADD", netns),
                    conf("1.1.0", id.substring(0, 8), "")).exit());
            Map<String, String> noRoot = Launchers.env("ADD", "member1", netns, "eth0");
            noRoot.put("JNET_ROOT", cli.dir.resolve("empty").toString());
            assertError(3, "no such container: db", call(cli.host, "jnet-container", noRoot, conf("1.1.0", "db", "")));
            Launchers.Call viaDataDir = call(cli.host, "jnet-container", noRoot,
                    conf("1.1.0", "db", ",\"dataDir\":\"" + cli.root + "\""));
            assertEquals(0, viaDataDir.exit(), viaDataDir.stdout());
        }
    }

    @Test
    void badInputGetsTheRightErrorCode(Sandbox sandbox) throws Exception {
        try (CliSandbox cli = withLeader(sandbox)) {
            String netns = cli.netns("db");
            Sandbox.Ns other = sandbox.namespace("other");
            assertError(3, "no such container: nobody", call(cli.host, "jnet-container", env(cli, "ADD", netns),
                    conf("1.1.0", "nobody", "")));
            assertError(8, "is not the network namespace of container db", call(cli.host, "jnet-container",
                    env(cli, "ADD", other.path()), conf("1.1.0", "db", "")));
            assertError(7, "container", call(cli.host, "jnet-container", env(cli, "ADD", netns),
                    conf("1.1.0", null, "")));
            assertError(6, null, call(cli.host, "jnet-container", env(cli, "ADD", netns), "[]"));
            assertError(1, null, call(cli.host, "jnet-container", env(cli, "CHECK", netns), conf("0.3.1", "db", "")));
            // the leader goes: its members' ADD and CHECK fail with code 3
            cli.jnet("rm", "db").ok();
            assertError(3, "no such container: db", call(cli.host, "jnet-container", env(cli, "ADD", other.path()),
                    conf("1.1.0", "db", "")));
        }
    }
}
