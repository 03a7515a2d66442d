package io.jnet.cli;

import io.jnet.cni.IpPrefix;
import io.jnet.cni.Json;
import io.jnet.kernel.testing.Sandbox;
import io.jnet.kernel.testing.SandboxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real Docker engine with jnet as its network and IPAM driver ({@link Dockerd}): containers on {@code docker
 * network create -d jnet --ipam-driver jnet} networks reach each other, the outside (masqueraded) and are reached
 * on their published ports; networks are isolated from each other, {@code enable_icc=false} isolates a network's
 * containers, and removing everything leaves nothing in the kernel or the store. The outside is a namespace on
 * 198.18.0.0/15 behind the sandbox host's uplink.
 */
@ExtendWith(SandboxExtension.class)
class DockerIT {

    private static final String HOST6 = "fd18::1";

    @BeforeAll
    static void engine() {
        String missing = Dockerd.missing();
        assumeTrue(missing == null || "1".equals(System.getenv("JNET_REQUIRE_PRIVILEGED")),
                "no Docker engine here: " + missing);
    }

    private static boolean pings(Dockerd docker, String from, String address) {
        return docker.run("exec", from, "ping", "-c", "1", "-W", "2", address).exit() == 0;
    }

    /** What the outside's peer server saw as the source of a container's connection. */
    private static String seenFromOutside(Dockerd docker, String container) throws Exception {
        return plain(docker.run("exec", container, "sh", "-c", "echo hi | nc -w 3 " + Uplink.OUTSIDE_IP + " 7000")
                .stdout());
    }

    /** The client address the container's web server saw for a request from the outside to a published port. */
    private static String fromOutside(Uplink uplink, String host, int port) throws Exception {
        return plain(Sandbox.run("nsenter", "--net=" + uplink.outsidePath(), "curl", "-s", "-g", "--max-time", "3",
                "http://" + host + ":" + port + "/cgi-bin/peer").stdout());
    }

    /** An address as a dual-stack server reports it ({@code [::ffff:198.18.0.2]}), in plain IPv4 when mapped. */
    private static String plain(String seen) throws Exception {
        String s = seen.strip().replace("[", "").replace("]", "");
        return s.isEmpty() ? "" : IpPrefix.formatAddress(InetAddress.getByName(s));
    }

    @Test
    void dockerContainersOnJnetNetworks(Sandbox sandbox) throws Exception {
        try (CliSandbox cli = new CliSandbox(sandbox); Uplink uplink = new Uplink(cli);
             Dockerd docker = Dockerd.start(cli.host)) {
            uplink.serve(uplink.outsidePath(), "tcp", 7000);
            docker.ok("network", "create", "-d", "jnet", "--ipam-driver", "jnet", "--subnet", "10.91.0.0/24", "jn1");
            docker.ok("network", "create", "-d", "jnet", "--ipam-driver", "jnet", "--subnet", "10.92.0.0/24", "jn2");
            docker.ok("network", "create", "-d", "jnet", "--ipam-driver", "jnet", "--subnet", "10.93.0.0/24",
                    "-o", "com.docker.network.bridge.enable_icc=false", "jn3");
            Sandbox.Run overlap = docker.run("network", "create", "-d", "jnet", "--ipam-driver", "jnet", "--subnet",
                    "10.91.0.0/16", "bad");
            assertTrue(overlap.exit() != 0 && overlap.stderr().contains("overlaps"), overlap.stderr());

            docker.ok("run", "-d", "--name", "c1", "--network", "jn1", Dockerd.IMAGE, "sleep", "600");
            docker.ok("run", "-d", "--name", "web", "--network", "jn1", "-p", "8080:80", Dockerd.IMAGE,
                    "httpd", "-f", "-p", "80", "-h", "/www");
            docker.ok("run", "-d", "--name", "c3", "--network", "jn2", Dockerd.IMAGE, "sleep", "600");
            docker.ok("run", "-d", "--name", "c4", "--network", "jn3", Dockerd.IMAGE, "sleep", "600");
            docker.ok("run", "-d", "--name", "c5", "--network", "jn3", Dockerd.IMAGE, "sleep", "600");
            String web = docker.ip("web", "jn1");
            assertTrue(web.startsWith("10.91.0."), web);

            assertTrue(pings(docker, "c1", web), "two containers of a network reach each other");
            assertEquals(Uplink.HOST_IP, seenFromOutside(docker, "c1"), "masqueraded to the host's address");
            assertEquals(Uplink.OUTSIDE_IP, fromOutside(uplink, Uplink.HOST_IP, 8080),
                    "-p 8080:80 answers from the outside");
            assertFalse(pings(docker, "c1", docker.ip("c3", "jn2")), "networks are isolated from each other");
            assertFalse(pings(docker, "c4", docker.ip("c5", "jn3")), "enable_icc=false isolates a network's containers");

            // our options under Docker's names: no masquerade (the outside routes the subnet back), a host address
            docker.ok("network", "create", "-d", "jnet", "--ipam-driver", "jnet", "--subnet", "10.96.0.0/24",
                    "-o", "com.docker.network.bridge.enable_ip_masquerade=false",
                    "-o", "com.docker.network.bridge.host_binding_ipv4=" + Uplink.HOST_IP, "jn4");
            sandbox.in(uplink.outside, "ip", "route", "add", "10.96.0.0/24", "via", Uplink.HOST_IP).ok();
            docker.ok("run", "-d", "--name", "c6", "--network", "jn4", "-p", "8090:80", Dockerd.IMAGE,
                    "httpd", "-f", "-p", "80", "-h", "/www");
            assertEquals(docker.ip("c6", "jn4"), seenFromOutside(docker, "c6"), "not masqueraded");
            assertEquals(Uplink.OUTSIDE_IP, fromOutside(uplink, Uplink.HOST_IP, 8090));
            String pub4host = sandbox.in(cli.host, "nft", "-j", "list", "map", "inet", "jnet", "pub4host").ok().stdout();
            assertTrue(pub4host.contains(Uplink.HOST_IP) && pub4host.contains("8090"), pub4host);

            Sandbox.Run taken = docker.run("run", "-d", "--name", "web2", "--network", "jn2", "-p", "8080:80",
                    Dockerd.IMAGE, "sleep", "600");
            assertTrue(taken.exit() != 0 && taken.stderr().contains("host port 8080/tcp is already published"),
                    taken.stderr());

            // one view: the CLI lists Docker's networks and the bridge driver's attachments on them
            String jn1 = docker.ok("network", "inspect", "-f", "{{.Id}}", "jn1").stdout().strip();
            Map<String, Object> inspect = Json.asObject(Json.asArray(Json.parse(docker.jnet("network", "inspect",
                    jn1.substring(0, 12)).ok().stdout()), "inspect").get(0), "network");
            assertEquals(jn1, inspect.get("id"));
            assertEquals(2, ((List<?>) inspect.get("attachments")).size(), String.valueOf(inspect));
            String endpoint = docker.ok("inspect", "-f", "{{.NetworkSettings.Networks.jn1.EndpointID}}", "web")
                    .stdout().strip();
            Map<String, Object> ep = Json.asObject(Json.asArray(Json.parse(docker.jnet("inspect", endpoint)
                    .ok().stdout()), "inspect").get(0), "endpoint");
            assertEquals(List.of(web + "/24"), ep.get("ips"));
            assertTrue(String.valueOf(ep.get("firewall")).contains("8080"), String.valueOf(ep));
            Sandbox.Run gc = docker.jnet("gc");
            assertEquals(0, gc.exit(), gc.stderr());
            assertTrue(pings(docker, "c1", web), "jnet gc leaves Docker's live endpoints alone");

            // jnet check covers Docker's endpoints, and the daemon heals their firewall by itself
            String short12 = endpoint.substring(0, 12);
            String ok = "endpoint " + short12 + " (network " + jn1.substring(0, 12) + "): ok";
            Sandbox.Run check = docker.jnet("check");
            assertEquals(0, check.exit(), check.stdout() + check.stderr());
            assertTrue(check.stdout().contains(ok), check.stdout());
            sandbox.in(cli.host, "nft", "delete", "table", "inet", "jnet").ok();
            Thread.sleep(1000);
            assertEquals(Uplink.OUTSIDE_IP, fromOutside(uplink, Uplink.HOST_IP, 8080),
                    "the daemon did not put Docker's published port back within a second");
            Sandbox.Run healed = docker.jnet("check", "--repair");
            assertEquals(0, healed.exit(), healed.stdout() + healed.stderr());
            assertTrue(healed.stdout().contains(ok), healed.stdout());

            docker.ok("rm", "-f", "c1", "web", "web2", "c3", "c4", "c5", "c6");
            docker.ok("network", "rm", "jn1", "jn2", "jn3", "jn4");
            assertNothingLeft(sandbox, cli.host, docker);
        }
    }

    @Test
    void restartingTheJnetDaemonKeepsContainersConnectedProxiesListeningAndDockerCanRemoveThem(Sandbox sandbox)
            throws Exception {
        try (CliSandbox cli = new CliSandbox(sandbox); Uplink uplink = new Uplink(cli);
             Dockerd docker = Dockerd.start(cli.host)) {
            sandbox.in(cli.host, "ip", "-6", "addr", "add", HOST6 + "/64", "dev", "up0", "nodad").ok();
            sandbox.in(uplink.outside, "ip", "-6", "addr", "add", "fd18::2/64", "dev", "up1", "nodad").ok();
            docker.ok("network", "create", "-d", "jnet", "--ipam-driver", "jnet", "--subnet", "10.94.0.0/24", "jn");
            docker.ok("run", "-d", "--name", "c1", "--network", "jn", Dockerd.IMAGE, "sleep", "600");
            // an IPv4-only container published on IPv6 addresses: the userland proxy's, TCP and UDP
            docker.ok("run", "-d", "--name", "web", "--network", "jn", "-p", "8081:80", "-p", "[::]:8082:80",
                    "-p", "[::1]:8083:80", "-p", "[::]:8084:5353/udp", Dockerd.IMAGE, "httpd", "-f", "-p", "80",
                    "-h", "/www");
            String gateway = "10.94.0.1";
            assertEquals(gateway, fromOutside(uplink, "[" + HOST6 + "]", 8082), "the proxy relays IPv6 to IPv4");
            assertEquals("", fromOutside(uplink, Uplink.HOST_IP, 8082), "an IPv6 binding does not answer IPv4");

            docker.restartJnet();
            assertTrue(pings(docker, "c1", docker.ip("web", "jn")));
            assertEquals(Uplink.OUTSIDE_IP, fromOutside(uplink, Uplink.HOST_IP, 8081));
            assertEquals(gateway, fromOutside(uplink, "[" + HOST6 + "]", 8082), "the proxy listens again");
            assertEquals(gateway, plain(Sandbox.run("nsenter", "--net=" + cli.host.path(), "curl", "-s",
                    "--max-time", "3", "http://[::1]:8083/cgi-bin/peer").stdout()), "[::1] in the host");
            String webPid = docker.ok("inspect", "-f", "{{.State.Pid}}", "web").stdout().strip();
            uplink.serve("/proc/" + webPid + "/ns/net", "udp", 5353);
            assertEquals(gateway, uplink.connect(uplink.outsidePath(), "udp", HOST6, 8084), "UDP through the proxy");
            docker.ok("run", "-d", "--name", "c2", "--network", "jn", Dockerd.IMAGE, "sleep", "600");
            assertTrue(pings(docker, "c2", docker.ip("c1", "jn")), "a new container after the restart");

            docker.ok("rm", "-f", "c1", "c2", "web");
            docker.ok("network", "rm", "jn");
            String listening = sandbox.in(cli.host, "ss", "-Hlntu").ok().stdout();
            for (int port = 8081; port <= 8084; port++) {
                assertFalse(listening.contains(":" + port + " "), listening);
            }
            assertNothingLeft(sandbox, cli.host, docker);
        }
    }

    /** No link but the uplink, no published-port element, no lease, record or network of Docker's. */
    private static void assertNothingLeft(Sandbox sandbox, Sandbox.Ns host, Dockerd docker) throws Exception {
        List<String> links = CliSandbox.jsonArray(sandbox.in(host, "ip", "-j", "link").ok().stdout()).stream()
                .map(l -> (String) l.get("ifname")).toList();
        assertEquals(List.of("lo", "up0"), links);
        String ruleset = sandbox.in(host, "nft", "-j", "list", "ruleset").ok().stdout();
        assertFalse(ruleset.contains("\"elem\""), ruleset);
        Path root = docker.jnet().root();
        assertEquals(List.of(), leftovers(root.resolve("ipam")));
        assertEquals(List.of(), leftovers(root.resolve("bridge")));
        assertEquals(List.of(), leftovers(root.resolve("docker")));
        assertEquals(List.of(), leftovers(root.resolve("networks")));
    }

    /** Files under {@code dir} but lock files, which are never deleted. */
    private static List<String> leftovers(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> tree = Files.walk(dir)) {
            return tree.filter(Files::isRegularFile).map(Path::toString)
                    .filter(p -> !p.endsWith("/lock") && !p.endsWith(".lock")).toList();
        }
    }
}
