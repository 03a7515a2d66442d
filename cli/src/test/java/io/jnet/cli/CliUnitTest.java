package io.jnet.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The parts of the CLI that need no kernel: flag parsing, usage errors, formatting, the launcher rewrite. */
class CliUnitTest {

    @Test
    void networkFlagParsesDockersModes() {
        assertInstanceOf(Network.None.class, Network.parse("none"));
        assertInstanceOf(Network.Host.class, Network.parse("host"));
        assertEquals(new Network.Joined("web"), Network.parse("container:web"));
        assertEquals(new Network.Bridge("bridge"), Network.parse("bridge"));
        assertEquals(new Network.Bridge("backend-1"), Network.parse("backend-1"));
        assertThrows(IllegalArgumentException.class, () -> Network.parse("container:"));
        assertThrows(IllegalArgumentException.class, () -> Network.parse("../x"));
        assertThrows(IllegalArgumentException.class, () -> Network.parse(""));
    }

    /** Runs the real command line without executing anything past validation; returns exit code and stderr. */
    private static String[] run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        StringWriter out = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(out, true));
        int exit = cl.execute(args);
        return new String[] {Integer.toString(exit), err.toString(), out.toString()};
    }

    @Test
    void usageErrorsAreOneLineAndExitTwoBeforeAnythingHappens() {
        String[][] cases = {
                {"Unknown option: '--bogus'", "create", "--bogus"},
                {"invalid container name \"a/b\"", "create", "--name", "a/b"},
                {"--network container: needs a container name", "create", "--network", "container:"},
                {"a host port is required", "create", "--network", "none", "-p", "80"},
                {"conflicting options: --ip and --network host", "create", "--network", "host", "--ip", "10.0.0.1"},
                {"conflicting options: --mac and --network none", "create", "--network", "none", "--mac",
                        "02:00:00:00:00:01"},
                {"is a multicast address", "create", "--mac", "01:00:5e:00:00:01"},
                {"port publishing and --network container", "create", "--network", "container:x", "-p", "1:2"},
                {"--ip: invalid IP address", "create", "--ip", "10.0.0.256"},
                {"Missing required parameter: 'NAME'", "rm"},
                {"Unmatched argument at index 0: 'frobnicate'", "frobnicate"},
        };
        for (String[] c : cases) {
            String[] args = java.util.Arrays.copyOfRange(c, 1, c.length);
            String[] result = run(args);
            assertEquals("2", result[0], String.join(" ", args) + ": " + result[1]);
            assertEquals(1, result[1].lines().count(), result[1]);
            assertTrue(result[1].contains(c[0]), result[1]);
            assertTrue(result[1].startsWith("jnet"), result[1]);
            assertTrue(result[1].contains("--help')"), result[1]);
        }
    }

    @Test
    void lsFormatsAsDockerPs() {
        assertEquals("Less than a second ago", LsCommand.ago(Duration.ZERO));
        assertEquals("1 second ago", LsCommand.ago(Duration.ofSeconds(1)));
        assertEquals("59 seconds ago", LsCommand.ago(Duration.ofSeconds(59)));
        assertEquals("About a minute ago", LsCommand.ago(Duration.ofSeconds(90)));
        assertEquals("5 minutes ago", LsCommand.ago(Duration.ofMinutes(5)));
        assertEquals("About an hour ago", LsCommand.ago(Duration.ofMinutes(61)));
        assertEquals("3 hours ago", LsCommand.ago(Duration.ofHours(3)));
        assertEquals("3 days ago", LsCommand.ago(Duration.ofDays(3)));
        assertEquals("3 weeks ago", LsCommand.ago(Duration.ofDays(21)));
        assertEquals("4 months ago", LsCommand.ago(Duration.ofDays(125)));
        assertEquals("2 years ago", LsCommand.ago(Duration.ofDays(800)));
        assertEquals("A      LONGER\nwide   x\n", LsCommand.table(List.of(new String[] {"A", "LONGER"},
                new String[] {"wide", "x"})));
    }

    private static ContainerRecord record(NetworkMode mode, String network, String... ports) {
        return new ContainerRecord("c", ContainerStore.newId(), mode, network, "/run/jnet/netns/c", Instant.now(),
                "eth0", mode == NetworkMode.CONTAINER ? "x" : "", List.of(),
                java.util.Arrays.stream(ports).map(PublishSpec::parse).toList(), "", "", Map.of());
    }

    @Test
    void portListsWhatABridgeNetworkPublishesOnly() {
        ContainerRecord bridge = record(NetworkMode.BRIDGE, "bridge", "8080:80", "127.0.0.1:5353:53/udp");
        assertEquals(List.of("80/tcp -> 0.0.0.0:8080", "53/udp -> 127.0.0.1:5353"), PortCommand.lines(bridge, null));
        assertEquals(List.of("0.0.0.0:8080"), PortCommand.lines(bridge, "80"));
        assertEquals(List.of("127.0.0.1:5353"), PortCommand.lines(bridge, "53/udp"));
        assertEquals(List.of(), PortCommand.lines(bridge, "53"));
        assertEquals(List.of(), PortCommand.lines(record(NetworkMode.HOST, "host", "8080:80"), null));
        assertEquals("0.0.0.0:8080->80/tcp", LsCommand.ports(record(NetworkMode.BRIDGE, "bridge", "8080:80")));
        assertEquals("-", LsCommand.ports(record(NetworkMode.NONE, "none", "8080:80")));
    }

    @Test
    void installPointsALauncherAtItsNewHome() throws Exception {
        String launcher = "#!/bin/sh\ncase $0 in */*) H=${0%/*}/.. ;; esac # jnet-home\nexec \"$H/runtime/bin/java\"\n";
        assertEquals("#!/bin/sh\nH='/opt/jnet' # jnet-home\nexec \"$H/runtime/bin/java\"\n",
                InstallCommand.rehome(launcher, Path.of("/opt/jnet"), Path.of("x")));
        assertThrows(CliException.class, () -> InstallCommand.rehome("#!/bin/sh\n", Path.of("/opt/jnet"), Path.of("x")));
        assertThrows(CliException.class, () -> InstallCommand.rehome(launcher + launcher, Path.of("/o"), Path.of("x")));
    }

    @Test
    void addressesAreGroupedByInterfaceInResultOrder() {
        Map<String, Object> result = Map.of("cniVersion", "1.1.0",
                "interfaces", List.of(Map.of("name", "lo"), Map.of("name", "eth0")),
                "ips", List.of(Map.of("address", "10.0.0.2/24", "interface", 1L),
                        Map.of("address", "127.0.0.1/8", "interface", 0L),
                        Map.of("address", "fe80::1/64", "interface", 1L)));
        assertEquals(Map.of("lo", List.of("127.0.0.1/8"), "eth0", List.of("10.0.0.2/24", "fe80::1/64")),
                Addresses.byInterface(result));
        assertEquals(List.of("lo", "eth0"), List.copyOf(Addresses.byInterface(result).keySet()));
        assertEquals(List.of("10.0.0.2/24"), Addresses.reachable(result));
        assertEquals(Map.of(), Addresses.byInterface(Map.of()));
    }
}
