package io.jnet.cli;

import io.jnet.cni.IpPrefix;
import io.jnet.kernel.testing.Sandbox;
import io.jnet.kernel.testing.SandboxExtension;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * jnet-bridge as the network of Podman's CNI backend: {@code podman run -p 8080:80 --network <ours>} gets an address
 * from jnet-ipam, reaches the outside through SNAT, answers on the published port through DNAT, and
 * {@code podman rm -f} leaves no link, map element or lease behind. Podman, conmon, runc and the plugins all run in
 * a sandbox host namespace and a private mount namespace (see {@link Podman}); the outside is 198.18.0.2.
 */
@ExtendWith(SandboxExtension.class)
class PodmanIT {

    private static final String NETWORK = "jnetpod";
    private static final String SUBNET = "10.233.40.0/24";
    private static final String GATEWAY = "10.233.40.1";
    private static final String ADDRESS = "10.233.40.2";

    @BeforeAll
    static void podmanIsInstalled() {
        String missing = Podman.missing();
        if (missing != null) {
            if ("1".equals(System.getenv("JNET_REQUIRE_PRIVILEGED"))) {
                fail("the Podman test cannot run without " + missing + " (apt-get install podman runc busybox-static),"
                        + " and JNET_REQUIRE_PRIVILEGED=1 forbids skipping it");
            }
            Assumptions.abort("Podman test skipped: missing " + missing);
        }
    }

    /**
     * The network, with its state under {@code root}: through {@code dataDir}, because conmon hands the exit command
     * ({@code podman container cleanup}, which may be the one to call DEL) only a few variables, never JNET_ROOT.
     */
    private static String conflist(Path root) {
        return "{\"cniVersion\":\"1.0.0\",\"name\":\"" + NETWORK + "\",\"plugins\":[{\"type\":\"jnet-bridge\","
                + "\"bridge\":\"jtpod0\",\"dataDir\":\"" + root + "\",\"capabilities\":{\"portMappings\":true},"
                + "\"ipam\":{\"type\":\"jnet-ipam\",\"ranges\":[[{\"subnet\":\"" + SUBNET + "\"}]]}}]}";
    }

    @Test
    void runPublishesAPortReachesTheOutsideAndRmLeavesNothingBehind(Sandbox sandbox) throws Exception {
        try (Topology t = new Topology(sandbox)) {
            // a new namespace may inherit forwarding from the machine's; the plugin must turn it on itself
            t.sandbox.in(t.host, "sysctl", "-qw", "net.ipv4.ip_forward=0").ok();
            try (Podman podman = Podman.start(t.host, Map.of(NETWORK, conflist(t.root)))) {
                String id = podman.ok("run", "-d", "--name", "web", "--network", NETWORK, "-p", "8080:80",
                        "--pull", "never", Podman.IMAGE, "/bin/httpd", "-f", "-p", "80", "-h", "/www")
                        .stdout().strip();

                // the address comes from jnet-ipam, and the container has it
                assertEquals(ADDRESS, podman.ok("inspect", "web", "--format",
                        "{{(index .NetworkSettings.Networks \"" + NETWORK + "\").IPAddress}}").stdout().strip());
                Path lease = t.root.resolve("ipam").resolve(NETWORK).resolve("leases").resolve(ADDRESS);
                assertTrue(Files.readString(lease, StandardCharsets.UTF_8).startsWith(id + "\n"), "lease of " + id);
                String eth0 = podman.ok("exec", "web", "ip", "-4", "-o", "addr", "show", "eth0").stdout();
                assertTrue(eth0.contains("inet " + ADDRESS + "/24"), eth0);
                assertEquals("1", t.sandbox.in(t.host, "sysctl", "-n", "net.ipv4.ip_forward").ok().stdout().strip());
                assertTrue(t.rulesetText().contains("tcp . 8080 : " + ADDRESS + " . 80"), t.rulesetText());

                // SNAT: the outside sees the sandbox host's address
                t.serve(t.outside, "tcp", 7000);
                String seen = podman.ok("exec", "web", "sh", "-c", "echo hello | nc -w 3 " + Topology.OUTSIDE_IP
                        + " 7000").stdout();
                assertEquals(Topology.HOST_IP, address(seen), "the outside saw " + seen);

                // DNAT: the outside reaches the container on the published port, which sees the outside's address
                String response = httpGet(t.outside, Topology.HOST_IP, 8080, "/cgi-bin/peer");
                assertTrue(response.startsWith("HTTP/1.1 200"), response);
                List<String> lines = response.strip().lines().toList();
                assertEquals(Topology.OUTSIDE_IP, address(lines.get(lines.size() - 1)), response);

                podman.ok("rm", "--force", "--time", "0", "web");

                List<String> left = podman.inMountNamespace("ls", "/run/netns").ok().stdout().lines().toList();
                assertEquals(List.of(), left, "Podman's netns files");
                String links = t.sandbox.in(t.host, "ip", "-j", "link", "show").ok().stdout();
                assertFalse(links.contains("\"ifname\":\"jv"), "a host veth is left: " + links);
                String ruleset = t.sandbox.in(t.host, "nft", "-j", "list", "ruleset").ok().stdout();
                assertFalse(ruleset.contains(ADDRESS), "a map element is left: " + ruleset);
                assertTrue(ruleset.contains(SUBNET.substring(0, SUBNET.indexOf('/'))),
                        "the network's rules stay: " + ruleset);
                assertEquals(List.of(), stateFiles(t.root), "state left behind");
                assertTrue(t.sandbox.in(t.host, "ip", "-j", "addr", "show", "dev", "jtpod0").ok().stdout()
                        .contains("\"" + GATEWAY + "\""), "the bridge keeps its gateway");
            }
        }
    }

    /** One HTTP/1.0 GET from a namespace; the whole response, or "" when the connection fails. */
    private static String httpGet(Sandbox.Ns from, String address, int port, String path) {
        byte[] request = ("GET " + path + " HTTP/1.0\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        return Sandbox.run(Map.of(), request, Sandbox.inCommand(from, "timeout", "10", "socat", "-t5", "-T5", "-",
                "TCP:" + address + ":" + port + ",connect-timeout=3")).stdout();
    }

    /** An address as servers print peers ("[::ffff:198.18.0.2]" and the like), in canonical form. */
    private static String address(String text) {
        String s = text.strip().replace("[", "").replace("]", "");
        return s.isEmpty() ? "" : IpPrefix.formatAddress(IpPrefix.parseAddress(s));
    }

    private static List<String> stateFiles(Path root) throws Exception {
        try (var files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).map(Object::toString)
                    .filter(f -> f.contains("/owners/") || f.contains("/leases/") || f.contains("/bridge/"))
                    .filter(f -> !f.endsWith(".lock")).toList();
        }
    }
}
