package io.jnet.cli;

import io.jnet.cni.Json;
import io.jnet.kernel.testing.Sandbox;
import io.jnet.kernel.testing.SandboxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bridge mode through bin/jnet in a sandbox host namespace with an outside namespace behind its uplink: addresses,
 * published ports proven with real connections, port and inspect, check --repair and gc.
 */
@ExtendWith(SandboxExtension.class)
class BridgeCliIT {

    @Test
    void createGivesAnAddressAndPublishedPortsThatAnswerFromOutside(Sandbox sandbox) throws Exception {
        try (CliSandbox cli = new CliSandbox(sandbox); Uplink up = new Uplink(cli)) {
            cli.jnet("network", "create", "front", "--subnet", "10.233.54.0/24").ok();
            Sandbox.Run create = cli.jnet("create", "--name", "web", "--network", "front", "-p", "8080:80",
                    "-p", "198.18.0.1:9090:90", "-p", "9100-9101:9100-9101", "-p", "5353:53/udp",
                    "--ip", "10.233.54.10", "--mac", "02:42:0a:e9:36:0a").ok();
            assertEquals("web\n  netns    " + cli.netns("web") + "\n  eth0     10.233.54.10/24\n  ports    "
                    + "0.0.0.0:8080->80/tcp 198.18.0.1:9090->90/tcp 0.0.0.0:9100-9101->9100-9101/tcp "
                    + "0.0.0.0:5353->53/udp\n", create.stdout());
            assertEquals("", create.stderr());
            String web = cli.netns("web");
            String addr = cli.in(web, "ip", "-j", "addr", "show", "eth0").ok().stdout();
            assertTrue(addr.contains("\"10.233.54.10\"") && addr.contains("\"02:42:0a:e9:36:0a\""), addr);
            assertTrue(cli.in(web, "ip", "-j", "route", "show", "default").ok().stdout()
                    .contains("\"gateway\":\"10.233.54.1\""));
            assertTrue(cli.in(web, "ip", "-j", "link", "show", "lo").ok().stdout().contains("\"UP\""),
                    "lo is up, as in a Docker container");

            // SNAT: the outside sees the host's address
            up.serve(up.outsidePath(), "tcp", 7000);
            assertEquals(Uplink.HOST_IP, up.connect(web, "tcp", Uplink.OUTSIDE_IP, 7000));
            // DNAT: from the outside, tcp, udp, a host-IP mapping and a port of a range reach the container
            up.serve(web, "tcp", 80);
            up.serve(web, "tcp", 90);
            up.serve(web, "tcp", 9101);
            up.serve(web, "udp", 53);
            String out = up.outsidePath();
            assertEquals(Uplink.OUTSIDE_IP, up.connect(out, "tcp", Uplink.HOST_IP, 8080));
            assertEquals(Uplink.OUTSIDE_IP, up.connect(out, "tcp", Uplink.HOST_IP, 9090));
            assertEquals(Uplink.OUTSIDE_IP, up.connect(out, "tcp", Uplink.HOST_IP, 9101));
            assertEquals(Uplink.OUTSIDE_IP, up.connect(out, "udp", Uplink.HOST_IP, 5353));

            assertEquals("80/tcp -> 0.0.0.0:8080\n90/tcp -> 198.18.0.1:9090\n9100-9101/tcp -> 0.0.0.0:9100-9101\n"
                    + "53/udp -> 0.0.0.0:5353\n", cli.jnet("port", "web").ok().stdout());
            assertEquals("198.18.0.1:9090\n", cli.jnet("port", "web", "90").ok().stdout());

            Map<String, Object> inspect = CliSandbox.jsonArray(cli.jnet("inspect", "web").ok().stdout()).get(0);
            assertEquals("bridge", inspect.get("mode"));
            assertEquals("front", inspect.get("network"));
            List<String> owned = NetworkCliIT.list(inspect, "firewall").stream()
                    .map(e -> e.get("set") + ": " + e.get("element")).toList();
            assertEquals(List.of("pub4: udp . 5353 : 10.233.54.10 . 53", "pub4: tcp . 8080 : 10.233.54.10 . 80",
                    "pub4: tcp . 9100 : 10.233.54.10 . 9100", "pub4: tcp . 9101 : 10.233.54.10 . 9101",
                    "pub4host: 198.18.0.1 . tcp . 9090 : 10.233.54.10 . 90").stream().sorted().toList(),
                    owned.stream().sorted().toList());
            String ruleset = sandbox.in(cli.host, "nft", "list", "ruleset").ok().stdout();
            for (String element : owned) {
                assertTrue(ruleset.contains(element.substring(element.indexOf(": ") + 2)), "nft shows " + element);
            }
            assertTrue(Json.write(inspect.get("interfaces")).contains("\"10.233.54.10/24\""));

            // a used host port: one line naming the port and who has it; nothing of the attempt is left
            String linksBefore = sandbox.in(cli.host, "ip", "-br", "link").ok().stdout();
            CliIT.assertFailure(cli.jnet("create", "--name", "web2", "--network", "front", "-p", "8080:81"), 1,
                    "port 8080/tcp is already published by container web (10.233.54.10:80)");
            assertEquals(linksBefore, sandbox.in(cli.host, "ip", "-br", "link").ok().stdout());
            assertEquals("web\n", cli.jnet("ls", "-q").ok().stdout());
            assertFalse(Files.exists(Path.of(cli.netns("web2"))));

            cli.jnet("rm", "web").ok();
            assertFalse(sandbox.in(cli.host, "ip", "-j", "link").ok().stdout().contains("\"jv"), "the veth is gone");
            assertFalse(sandbox.in(cli.host, "nft", "list", "ruleset").ok().stdout().contains("10.233.54.10"),
                    "its elements are gone");

            // the default network: made on first use, device jnet0
            Sandbox.Run d = cli.jnet("create", "--name", "d").ok();
            assertTrue(d.stdout().contains("eth0     172.17.0.2/16"), d.stdout());
            assertTrue(sandbox.in(cli.host, "ip", "-j", "addr", "show", "jnet0").ok().stdout()
                    .contains("\"172.17.0.1\""));
            assertEquals("bridge", CliSandbox.jsonArray(cli.jnet("inspect", "d").ok().stdout()).get(0).get("network"));
            assertTrue(cli.jnet("network", "ls").ok().stdout().contains(" bridge   bridge   jnet0 "));
        }
    }

    @Test
    void checkRepairRestoresAFlushedTableAndADeletedVeth(Sandbox sandbox) throws Exception {
        try (CliSandbox cli = new CliSandbox(sandbox); Uplink up = new Uplink(cli)) {
            cli.jnet("network", "create", "r", "--subnet", "10.233.55.0/24").ok();
            cli.jnet("create", "--name", "a", "--network", "r", "-p", "8080:80").ok();
            cli.jnet("create", "--name", "b", "--network", "r").ok();
            // another network, whose chains the repair of a's network does not re-create
            cli.jnet("network", "create", "r2", "--subnet", "10.233.57.0/24").ok();
            cli.jnet("create", "--name", "c", "--network", "r2").ok();
            String a = cli.netns("a");
            up.serve(a, "tcp", 80);
            up.serve(up.outsidePath(), "tcp", 7000);
            assertEquals(Uplink.OUTSIDE_IP, up.connect(up.outsidePath(), "tcp", Uplink.HOST_IP, 8080));
            assertEquals("a: ok\nb: ok\nc: ok\n", cli.jnet("check").ok().stdout());
            String mac = mac(cli, a);

            sandbox.in(cli.host, "nft", "flush", "table", "inet", "jnet").ok();
            assertTrue(up.unreachable(up.outsidePath(), "tcp", Uplink.HOST_IP, 8080), "flushed: no DNAT");
            Sandbox.Run drift = cli.jnet("check");
            assertEquals(1, drift.exit());
            assertTrue(drift.stdout().contains("a: drifted: ") && drift.stdout().contains("has no rules"),
                    drift.stdout());
            assertTrue(drift.stdout().contains("b: drifted: "), "every container of the network: " + drift.stdout());
            Sandbox.Run repair = cli.jnet("check", "--repair").ok();
            assertTrue(repair.stdout().contains("a: repaired: "), repair.stdout());
            assertTrue(repair.stdout().contains("c: repaired: "), "r2's flushed chains are seen: " + repair.stdout());
            assertEquals("a: ok\nb: ok\nc: ok\n", cli.jnet("check").ok().stdout());
            assertEquals(Uplink.OUTSIDE_IP, up.connect(up.outsidePath(), "tcp", Uplink.HOST_IP, 8080), "DNAT is back");
            assertEquals(Uplink.HOST_IP, up.connect(cli.netns("b"), "tcp", Uplink.OUTSIDE_IP, 7000), "SNAT is back");
            assertEquals(Uplink.HOST_IP, up.connect(cli.netns("c"), "tcp", Uplink.OUTSIDE_IP, 7000),
                    "and for the other network");
            assertEquals("10.233.55.2/24", address(cli, "a"), "the same address");
            assertEquals(mac, mac(cli, a), "the same MAC");

            String id = (String) CliSandbox.jsonArray(cli.jnet("inspect", "a").ok().stdout()).get(0).get("id");
            sandbox.in(cli.host, "ip", "link", "del", BridgeNames.hostVeth("r", id, "eth0")).ok();
            Sandbox.Run gone = cli.jnet("check");
            assertEquals(1, gone.exit());
            assertTrue(gone.stdout().contains("a: drifted: ") && gone.stdout().contains("is missing"), gone.stdout());
            assertTrue(gone.stdout().contains("b: ok"), gone.stdout());
            cli.jnet("check", "--repair").ok();
            assertEquals("a: ok\nb: ok\nc: ok\n", cli.jnet("check").ok().stdout());
            assertEquals(Uplink.OUTSIDE_IP, up.connect(up.outsidePath(), "tcp", Uplink.HOST_IP, 8080));
            assertEquals("10.233.55.2/24", address(cli, "a"));
            assertEquals(mac, mac(cli, a));
        }
    }

    @Test
    void gcCleansUpAfterABridgeContainerWhoseNamespaceWasDeletedBehindJnetsBack(Sandbox sandbox) throws Exception {
        try (CliSandbox cli = new CliSandbox(sandbox)) {
            cli.jnet("network", "create", "g", "--subnet", "10.233.56.0/24").ok();
            cli.jnet("create", "--name", "gone", "--network", "g", "-p", "8080:80").ok();
            cli.jnet("create", "--name", "keep", "--network", "g", "-p", "8081:80").ok();
            String goneId = (String) CliSandbox.jsonArray(cli.jnet("inspect", "gone").ok().stdout()).get(0).get("id");
            // a runtime's container on the same network, through the conflist, whose namespace also goes
            Map<String, Object> conflist = Json.parseObject(cli.jnet("network", "conflist", "g").ok().stdout()
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            Map<String, Object> conf = new java.util.LinkedHashMap<>(NetworkCliIT.list(conflist, "plugins").get(0));
            conf.put("cniVersion", "1.0.0");
            conf.put("name", "g");
            conf.put("runtimeConfig", Map.of("portMappings", List.of(Map.of("hostPort", 8082L, "containerPort", 80L))));
            Sandbox.Ns rt = sandbox.namespace("rt");
            assertEquals(0, Launchers.call(cli.host, "jnet-bridge", Launchers.env("ADD", "rt1", rt.path(), "eth0"),
                    Json.write(conf)).exit());
            assertEquals("nothing to collect\n", cli.jnet("gc").ok().stdout());

            Sandbox.run("umount", cli.netns("gone")).ok();
            Files.delete(Path.of(cli.netns("gone")));
            Sandbox.run("ip", "netns", "delete", rt.name()).ok();

            Sandbox.Run gc = cli.jnet("gc").ok();
            assertTrue(gc.stdout().contains("removed gone: its network namespace " + cli.netns("gone") + " is gone"),
                    gc.stdout());
            assertTrue(gc.stdout().contains("removed attachment rt1/eth0 of network g: its network namespace "
                    + rt.path() + " is gone"), gc.stdout());
            assertEquals("", gc.stderr());

            String links = sandbox.in(cli.host, "ip", "-j", "link").ok().stdout();
            assertFalse(links.contains(BridgeNames.hostVeth("g", goneId, "eth0")), links);
            assertFalse(links.contains(BridgeNames.hostVeth("g", "rt1", "eth0")), links);
            String ruleset = sandbox.in(cli.host, "nft", "list", "ruleset").ok().stdout();
            assertFalse(ruleset.contains("8080") || ruleset.contains("8082"), "their elements are gone: " + ruleset);
            assertTrue(ruleset.contains("tcp . 8081 : 10.233.56.3 . 80"), "keep's stays: " + ruleset);
            assertEquals(List.of("10.233.56.3"), files(cli.root.resolve("ipam/g/leases")), "only keep's lease is left");
            assertEquals(1, files(cli.root.resolve("bridge/g")).size());
            assertEquals("keep\n", cli.jnet("ls", "-q").ok().stdout());
            assertEquals("nothing to collect\n", cli.jnet("gc").ok().stdout());
            cli.jnet("check").ok();
        }
    }

    private static List<String> files(Path dir) throws Exception {
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }

    private static String address(CliSandbox cli, String name) throws Exception {
        return (String) Json.asArray(CliSandbox.jsonArray(cli.jnet("inspect", name).ok().stdout()).get(0)
                .get("interfaces"), "interfaces").stream().map(i -> (Map<?, ?>) i)
                .filter(i -> "eth0".equals(i.get("name"))).map(i -> ((List<?>) i.get("addresses")).get(0))
                .findFirst().orElseThrow();
    }

    private static String mac(CliSandbox cli, String netns) {
        String link = cli.in(netns, "ip", "-j", "link", "show", "eth0").ok().stdout();
        int at = link.indexOf("\"address\":\"") + 11;
        return link.substring(at, link.indexOf('"', at));
    }
}
