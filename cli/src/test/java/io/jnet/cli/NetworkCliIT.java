package io.jnet.cli;

import io.jnet.cni.Json;
import io.jnet.kernel.testing.Sandbox;
import io.jnet.kernel.testing.SandboxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** jnet network end to end: bin/jnet in a sandbox host namespace, its state and run directories in /tmp. */
@ExtendWith(SandboxExtension.class)
class NetworkCliIT {

    @Test
    void createLsInspectConflistAndRm(Sandbox sandbox) throws Exception {
        try (CliSandbox cli = new CliSandbox(sandbox)) {
            String id1 = cli.jnet("network", "create", "n1", "--subnet", "10.233.50.0/24").ok().stdout().strip();
            assertTrue(id1.matches("[0-9a-f]{64}"), id1);
            cli.jnet("network", "create", "n2", "--subnet", "10.233.51.0/24", "--gateway", "10.233.51.254",
                    "--ip-range", "10.233.51.128/25", "--internal", "-o", "icc=false", "-o", "mtu=1400",
                    "-o", "com.docker.network.bridge.name=jtbr2", "--ipv6").ok();

            List<String> rows = cli.jnet("network", "ls").ok().stdout().lines().toList();
            assertTrue(rows.get(0).matches("NETWORK ID +NAME +DRIVER +BRIDGE +SUBNETS +CONTAINERS"), rows.get(0));
            assertTrue(rows.get(1).matches(id1.substring(0, 12) + " +n1 +bridge +jnet-" + id1.substring(0, 10)
                    + " +10\\.233\\.50\\.0/24 +0"), rows.get(1));
            assertTrue(rows.get(2).matches("[0-9a-f]{12} +n2 +bridge +jtbr2 +10\\.233\\.51\\.0/24,fd[0-9a-f:]+::/64 "
                    + "\\(internal\\) +0"), rows.get(2));
            assertEquals("n1\nn2\n", cli.jnet("network", "ls", "-q").ok().stdout());
            assertEquals(List.of("n1", "n2"), CliSandbox.jsonArray(cli.jnet("network", "ls", "--format", "json")
                    .ok().stdout()).stream().map(n -> n.get("name")).toList());

            Map<String, Object> n2 = CliSandbox.jsonArray(cli.jnet("network", "inspect", "n2").ok().stdout()).get(0);
            assertEquals("jtbr2", n2.get("bridge"));
            assertEquals(true, n2.get("internal"));
            assertEquals(false, n2.get("icc"));
            assertEquals(1400L, ((Number) n2.get("mtu")).longValue());
            assertEquals(true, n2.get("ipv6"));
            assertEquals(false, n2.get("bridgePresent"), "nothing is in the kernel before a container attaches");
            List<Map<String, Object>> subnets = list(n2, "subnets");
            assertEquals(Map.of("subnet", "10.233.51.0/24", "gateway", "10.233.51.254", "ipRange", "10.233.51.128/25"),
                    subnets.get(0));
            String v6 = (String) subnets.get(1).get("subnet");
            assertTrue(v6.matches("fd[0-9a-f]{2}:[0-9a-f]{1,4}:[0-9a-f]{1,4}::/64"), "a unique local /64: " + v6);
            assertEquals(v6.replace("::/64", "::1"), subnets.get(1).get("gateway"));

            Map<String, Object> conflist = Json.parseObject(cli.jnet("network", "conflist", "n2").ok().stdout()
                    .getBytes(StandardCharsets.UTF_8));
            assertEquals("1.0.0", conflist.get("cniVersion"));
            assertEquals("n2", conflist.get("name"));
            Map<String, Object> plugin = list(conflist, "plugins").get(0);
            assertEquals("jnet-bridge", plugin.get("type"));
            assertEquals("jtbr2", plugin.get("bridge"));
            assertEquals(false, plugin.get("ipMasq"));
            assertEquals(false, plugin.get("icc"));
            assertEquals(true, plugin.get("internal"));
            assertEquals(1400L, ((Number) plugin.get("mtu")).longValue());
            assertEquals(cli.root.toString(), plugin.get("dataDir"));
            assertEquals(Map.of("portMappings", true, "ips", true, "mac", true), plugin.get("capabilities"));
            Map<String, Object> ipam = Json.asObject(plugin.get("ipam"), "ipam");
            assertEquals("jnet-ipam", ipam.get("type"));
            Map<String, Object> range = new LinkedHashMap<>();
            range.put("subnet", "10.233.51.0/24");
            range.put("gateway", "10.233.51.254");
            range.put("rangeStart", "10.233.51.128");
            range.put("rangeEnd", "10.233.51.254");
            assertEquals(List.of(List.of(range), List.of(Map.of("subnet", v6, "gateway", v6.replace("::/64", "::1")))),
                    ipam.get("ranges"));

            Path store = cli.root.resolve("networks");
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store)));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                    store.resolve("n1.json"))));

            // a container makes the bridge and the network's chains; rm is refused while it is there
            cli.jnet("create", "--name", "c1", "--network", "n1").ok();
            String bridge = "jnet-" + id1.substring(0, 10);
            assertTrue(sandbox.in(cli.host, "ip", "-j", "link", "show", bridge).ok().stdout().contains(bridge));
            assertTrue(chains(cli).contains("\"fwd-out-n1\""));
            CliIT.assertFailure(cli.jnet("network", "rm", "n1"), 1,
                    "network n1 has active endpoints: containers c1; remove them first (jnet rm c1)");
            Map<String, Object> n1 = CliSandbox.jsonArray(cli.jnet("network", "inspect", "n1").ok().stdout()).get(0);
            assertEquals(true, n1.get("bridgePresent"));
            assertEquals("c1", list(n1, "containers").get(0).get("name"));
            assertEquals(List.of("10.233.50.2/24"), list(n1, "containers").get(0).get("addresses"));
            assertEquals(1, list(n1, "attachments").size());

            cli.jnet("rm", "c1").ok();
            assertEquals("n1\n", cli.jnet("network", "rm", "n1").ok().stdout());
            assertFalse(sandbox.in(cli.host, "ip", "-j", "link").ok().stdout().contains(bridge), "the bridge is gone");
            assertFalse(chains(cli).contains("-n1\""), "the network's chains are gone: " + chains(cli));
            assertFalse(sandbox.in(cli.host, "nft", "list", "ruleset").ok().stdout().contains(bridge),
                    "no verdict-map element names the bridge");
            for (String gone : new String[] {"networks/n1.json", "bridge/n1"}) {
                assertFalse(Files.exists(cli.root.resolve(gone)), gone);
            }
            // the leases are gone; lock files stay, as a process may be waiting on one
            try (var left = Files.list(cli.root.resolve("ipam/n1"))) {
                assertEquals(List.of("lock"), left.map(p -> p.getFileName().toString()).toList());
            }
            assertEquals("n2\n", cli.jnet("network", "ls", "-q").ok().stdout());
            // the removed name and subnet are free again
            cli.jnet("network", "create", "n1", "--subnet", "10.233.50.0/24").ok();
        }
    }

    @Test
    void errorsAreOneLineWithExitCodesScriptsCanRelyOn(Sandbox sandbox) throws Exception {
        try (CliSandbox cli = new CliSandbox(sandbox)) {
            cli.jnet("network", "create", "used", "--subnet", "10.233.52.0/24", "-o", "bridge.name=jtbr1").ok();
            String[][] usage = {
                    {"network", "create"},
                    {"network", "create", "a/b"},
                    {"network", "create", "x", "--subnet", "10.233.60.1/24"},
                    {"network", "create", "x", "--subnet", "10.233.60.0/24", "--subnet", "10.233.61.0/24"},
                    {"network", "create", "x", "--gateway", "10.233.60.1"},
                    {"network", "create", "x", "--subnet", "10.233.60.0/24", "--gateway", "10.233.61.1"},
                    {"network", "create", "x", "--subnet", "10.233.60.0/24", "--ip-range", "10.233.0.0/16"},
                    {"network", "create", "x", "--subnet", "10.233.60.0/31"},
                    {"network", "create", "x", "-o", "bogus=1"},
                    {"network", "create", "x", "-o", "icc=maybe"},
                    {"network", "create", "x", "-o", "mtu=10"},
                    {"network", "create", "x", "-o", "bridge.name=much-too-long-a-name"},
                    {"network", "create", "x", "--driver", "macvlan"},
                    {"network", "ls", "--format", "yaml"},
                    {"network", "rm"},
                    {"network", "frobnicate"},
            };
            for (String[] args : usage) {
                CliIT.assertFailure(cli.jnet(args), 2, String.join(" ", args));
            }
            CliIT.assertFailure(cli.jnet("network", "create", "used"), 1, "network with name used already exists");
            CliIT.assertFailure(cli.jnet("network", "create", "host"), 1, "network name host is reserved");
            CliIT.assertFailure(cli.jnet("network", "create", "x", "--subnet", "10.233.52.128/25"), 1,
                    "subnet 10.233.52.128/25 overlaps subnet 10.233.52.0/24 of network used");
            CliIT.assertFailure(cli.jnet("network", "create", "x", "--subnet", "10.233.0.0/16"), 1,
                    "overlaps subnet 10.233.52.0/24 of network used");
            CliIT.assertFailure(cli.jnet("network", "create", "x", "--subnet", "10.233.53.0/24", "-o",
                    "bridge.name=jtbr1"), 1, "bridge jtbr1 is already used by network used");
            CliIT.assertFailure(cli.jnet("network", "rm", "nope"), 1, "network nope not found");
            CliIT.assertFailure(cli.jnet("network", "conflist", "nope"), 1, "network nope not found");
            CliIT.assertFailure(cli.jnet("create", "--network", "nope"), 1, "network nope not found");
            Sandbox.Run inspect = cli.jnet("network", "inspect", "nope");
            assertEquals(1, inspect.exit());
            assertEquals("[]", inspect.stdout().strip());
            assertEquals("jnet network inspect: network nope not found\n", inspect.stderr());
            assertEquals("used\n", cli.jnet("network", "ls", "-q").ok().stdout(), "no failure left a network");
            assertEquals("", cli.jnet("ls", "-q").ok().stdout(), "no failure left a container");
        }
    }

    @Test
    void defaultPoolsSkipRoutesOfTheHostAndOtherNetworks(Sandbox sandbox) throws Exception {
        try (CliSandbox cli = new CliSandbox(sandbox)) {
            sandbox.in(cli.host, "ip", "link", "add", "jtd0", "type", "veth", "peer", "name", "jtd1").ok();
            sandbox.in(cli.host, "ip", "link", "set", "jtd1", "up").ok();
            sandbox.in(cli.host, "ip", "link", "set", "jtd0", "up").ok();
            sandbox.in(cli.host, "ip", "route", "add", "172.18.0.0/16", "dev", "jtd0").ok();
            sandbox.in(cli.host, "ip", "route", "add", "172.21.128.0/17", "dev", "jtd0").ok();

            cli.jnet("network", "create", "a").ok();
            assertEquals("172.19.0.0/16", subnet(cli, "a"), "172.17 is the default network's, 172.18 is routed");
            cli.jnet("network", "create", "b").ok();
            assertEquals("172.20.0.0/16", subnet(cli, "b"), "172.19 is network a's");
            // the default network takes 172.17.0.0/16 and device jnet0 on first use
            Map<String, Object> conflist = Json.parseObject(cli.jnet("network", "conflist", "bridge").ok().stdout()
                    .getBytes(StandardCharsets.UTF_8));
            assertEquals("jnet0", list(conflist, "plugins").get(0).get("bridge"));
            assertEquals("172.17.0.0/16", subnet(cli, "bridge"));
            cli.jnet("network", "create", "c", "--ipv6").ok();
            assertEquals("172.22.0.0/16", subnet(cli, "c"), "172.21.128.0/17 is routed, so all of 172.21 is skipped");
            assertTrue(Json.write(inspect(cli, "c").get("subnets")).matches(".*\"fd[0-9a-f:]+::/64\".*"));
            // a route that covers every /16 of a pool makes it skip to the next pool
            sandbox.in(cli.host, "ip", "route", "add", "172.16.0.0/12", "dev", "jtd0").ok();
            cli.jnet("network", "create", "d").ok();
            assertEquals("192.168.0.0/20", subnet(cli, "d"));
        }
    }

    @Test
    void aNetworkCreatedByTheCliIsUsableByJnetBridgeThroughItsConflist(Sandbox sandbox) throws Exception {
        try (CliSandbox cli = new CliSandbox(sandbox)) {
            cli.jnet("network", "create", "rt", "--subnet", "10.233.53.0/24").ok();
            cli.jnet("create", "--name", "cli1", "--network", "rt").ok();
            Map<String, Object> conflist = Json.parseObject(cli.jnet("network", "conflist", "rt").ok().stdout()
                    .getBytes(StandardCharsets.UTF_8));
            // what a runtime does with a conflist: each plugin gets cniVersion, name and its runtime config
            Map<String, Object> conf = new LinkedHashMap<>(list(conflist, "plugins").get(0));
            conf.put("cniVersion", conflist.get("cniVersion"));
            conf.put("name", conflist.get("name"));
            conf.put("runtimeConfig", Map.of("portMappings", List.of(Map.of("hostPort", 8085L, "containerPort", 80L,
                    "protocol", "tcp"))));
            String json = Json.write(conf);
            Sandbox.Ns ns = sandbox.namespace("rt");
            // no JNET_ROOT: the conflist's dataDir is what makes the runtime share the CLI's store
            Launchers.Call add = Launchers.call(cli.host, "jnet-bridge", Launchers.env("ADD", "rt1", ns.path(), "eth0"),
                    json);
            assertEquals(0, add.exit(), add.stdout() + add.stderr());
            assertEquals("10.233.53.3/24", list(add.json(), "ips").get(0).get("address"),
                    "the runtime's container gets the next address of the pool the CLI's container is in");
            String ruleset = sandbox.in(cli.host, "nft", "list", "ruleset").ok().stdout();
            assertTrue(ruleset.contains("tcp . 8085 : 10.233.53.3 . 80"), ruleset);
            String withPrev = json.substring(0, json.length() - 1) + ",\"prevResult\":" + add.stdout().strip() + "}";
            Launchers.Call check = Launchers.call(cli.host, "jnet-bridge",
                    Launchers.env("CHECK", "rt1", ns.path(), "eth0"), withPrev);
            assertEquals(0, check.exit(), check.stdout() + check.stderr());

            Map<String, Object> inspect = inspect(cli, "rt");
            String cliId = (String) CliSandbox.jsonArray(cli.jnet("inspect", "cli1").ok().stdout()).get(0).get("id");
            assertEquals(Set.of("rt1", cliId), Set.copyOf(list(inspect, "attachments").stream()
                    .map(a -> a.get("containerId")).toList()), "the runtime's attachment and the CLI's");
            assertEquals(List.of("cli1"), list(inspect, "containers").stream().map(c -> c.get("name")).toList());
            cli.jnet("rm", "cli1").ok();
            CliIT.assertFailure(cli.jnet("network", "rm", "rt"), 1, "network rt has 1 attachment(s) made through its "
                    + "conflist, e.g. container rt1 (" + ns.path() + ")");
            Launchers.Call del = Launchers.call(cli.host, "jnet-bridge", Launchers.env("DEL", "rt1", ns.path(), "eth0"),
                    json);
            assertEquals(0, del.exit(), del.stdout() + del.stderr());
            cli.jnet("network", "rm", "rt").ok();
            assertFalse(sandbox.in(cli.host, "nft", "list", "ruleset").ok().stdout().contains("-rt"));
        }
    }

    private static String subnet(CliSandbox cli, String network) throws Exception {
        return (String) list(inspect(cli, network), "subnets").get(0).get("subnet");
    }

    private static Map<String, Object> inspect(CliSandbox cli, String network) throws Exception {
        return CliSandbox.jsonArray(cli.jnet("network", "inspect", network).ok().stdout()).get(0);
    }

    /** The chain names of table inet jnet in the sandbox host, by nft itself. */
    private static String chains(CliSandbox cli) {
        return cli.sandbox.in(cli.host, "nft", "-j", "list", "chains", "inet").ok().stdout();
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Map<String, Object> json, String key) {
        return (List<Map<String, Object>>) json.get(key);
    }
}
