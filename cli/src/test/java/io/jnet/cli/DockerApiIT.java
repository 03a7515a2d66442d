package io.jnet.cli;

import io.jnet.cni.Json;
import io.jnet.kernel.testing.Sandbox;
import io.jnet.kernel.testing.SandboxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The daemon's Docker plugin socket spoken to as dockerd speaks to it, without a dockerd: libnetwork's calls in the
 * order it makes them, their repetitions, and what it must refuse, each answered on a real Unix socket by a daemon
 * in a sandbox host namespace; the kernel is checked with {@code ip -j} and {@code nft -j}.
 */
@ExtendWith(SandboxExtension.class)
class DockerApiIT {

    private static final SecureRandom RANDOM = new SecureRandom();

    private static String id() {
        return HexFormat.of().formatHex(RANDOM.generateSeed(32));
    }

    private static PluginClient.Answer ok(PluginClient.Answer a) {
        assertEquals(200, a.status(), String.valueOf(a.body()));
        assertEquals("application/vnd.docker.plugins.v1.2+json", a.contentType());
        return a;
    }

    private static void refused(PluginClient.Answer a, int status, String words) {
        assertEquals(status, a.status(), String.valueOf(a.body()));
        assertTrue(a.err() != null && a.err().contains(words), "Err \"" + a.err() + "\" should say \"" + words + "\"");
    }

    private static String str(PluginClient.Answer a, String key) {
        return (String) a.body().get(key);
    }

    @Test
    void aNetworkItsEndpointsAndPortsThroughTheDriverApiAndNothingLeftAfterwards(Sandbox sandbox) throws Exception {
        Sandbox.Ns host = sandbox.namespace("host");
        Sandbox.Ns ctr = sandbox.namespace("ctr");
        Sandbox.Ns ctr2 = sandbox.namespace("ctr2");
        try (TestDaemon daemon = TestDaemon.in(host)) {
            PluginClient docker = new PluginClient(daemon.dockerSocket());
            assertEquals(List.of("NetworkDriver", "IpamDriver"),
                    ok(docker.post("Plugin.Activate", "")).body().get("Implements"));
            assertEquals("local", str(ok(docker.post("NetworkDriver.GetCapabilities", "{}")), "Scope"));
            assertEquals("local", str(ok(docker.post("IpamDriver.GetDefaultAddressSpaces", "{}")),
                    "LocalDefaultAddressSpace"));

            // IPAM: the pool, again (the same), an overlapping one (refused), the gateway, addresses
            String poolReq = "{\"AddressSpace\":\"local\",\"Pool\":\"10.99.0.0/24\",\"SubPool\":\"\",\"V6\":false}";
            PluginClient.Answer pool = ok(docker.post("IpamDriver.RequestPool", poolReq));
            assertEquals("10.99.0.0/24", str(pool, "Pool"));
            String poolId = str(pool, "PoolID");
            assertEquals(poolId, str(ok(docker.post("IpamDriver.RequestPool", poolReq)), "PoolID"));
            refused(docker.post("IpamDriver.RequestPool", "{\"Pool\":\"10.99.0.0/16\"}"), 409, "overlaps");
            String defaultPool = str(ok(docker.post("IpamDriver.RequestPool", "{\"AddressSpace\":\"local\"}")), "Pool");
            assertTrue(defaultPool.startsWith("172.") && defaultPool.endsWith("/16"), defaultPool);
            String gateway = "{\"PoolID\":\"" + poolId + "\",\"Options\":{\"RequestAddressType\":"
                    + "\"com.docker.network.gateway\"}}";
            assertEquals("10.99.0.1/24", str(ok(docker.post("IpamDriver.RequestAddress", gateway)), "Address"));
            assertEquals("10.99.0.2/24", str(ok(docker.post("IpamDriver.RequestAddress",
                    "{\"PoolID\":\"" + poolId + "\"}")), "Address"));
            String fixed = "{\"PoolID\":\"" + poolId + "\",\"Address\":\"10.99.0.9\"}";
            assertEquals("10.99.0.9/24", str(ok(docker.post("IpamDriver.RequestAddress", fixed)), "Address"));
            assertEquals("10.99.0.9/24", str(ok(docker.post("IpamDriver.RequestAddress", fixed)), "Address"));
            refused(docker.post("IpamDriver.RequestAddress", "{\"PoolID\":\"jnet-nope\"}"), 404, "unknown pool");

            // the network: made, made again (fine), an unknown option (refused), visible to the CLI
            String net = id();
            String create = "{\"NetworkID\":\"" + net + "\",\"Options\":{\"com.docker.network.enable_ipv6\":false,"
                    + "\"com.docker.network.generic\":{\"com.docker.network.bridge.enable_icc\":\"true\"}},"
                    + "\"IPv4Data\":[{\"AddressSpace\":\"local\",\"Pool\":\"10.99.0.0/24\",\"Gateway\":\"10.99.0.1/24\"}],"
                    + "\"IPv6Data\":[]}";
            ok(docker.post("NetworkDriver.CreateNetwork", create));
            ok(docker.post("NetworkDriver.CreateNetwork", create));
            refused(docker.post("NetworkDriver.CreateNetwork", "{\"NetworkID\":\"" + id() + "\",\"Options\":{"
                    + "\"com.docker.network.generic\":{\"frobnicate\":\"1\"}},\"IPv4Data\":[{\"Pool\":\"10.98.0.0/24\"}]}"),
                    400, "unknown option -o frobnicate");
            refused(docker.post("NetworkDriver.CreateNetwork", "{\"NetworkID\":\"" + id() + "\","
                    + "\"IPv4Data\":[{\"Pool\":\"10.99.0.128/25\"}]}"), 500, "overlaps subnet 10.99.0.0/24");
            Sandbox.Run ls = jnet(daemon, host, "network", "ls", "--format", "json");
            assertTrue(ls.stdout().contains("\"" + net + "\"") && ls.stdout().contains("10.99.0.0/24"), ls.stdout());

            // endpoint: the MAC is ours when Docker gives none; the same again; Join leaves the peer in the host
            String ep = id();
            String endpoint = "{\"NetworkID\":\"" + net + "\",\"EndpointID\":\"" + ep + "\",\"Interface\":{"
                    + "\"Address\":\"10.99.0.2/24\",\"AddressIPv6\":\"\",\"MacAddress\":\"\"},\"Options\":{}}";
            PluginClient.Answer created = ok(docker.post("NetworkDriver.CreateEndpoint", endpoint));
            assertEquals(Map.of("MacAddress", "02:42:0a:63:00:02"), created.body().get("Interface"));
            assertEquals(created.body(), ok(docker.post("NetworkDriver.CreateEndpoint", endpoint)).body());
            String join = "{\"NetworkID\":\"" + net + "\",\"EndpointID\":\"" + ep + "\",\"SandboxKey\":\""
                    + ctr.path() + "\",\"Options\":{}}";
            PluginClient.Answer joined = ok(docker.post("NetworkDriver.Join", join));
            assertEquals("10.99.0.1", str(joined, "Gateway"));
            @SuppressWarnings("unchecked")
            Map<String, Object> ifname = (Map<String, Object>) joined.body().get("InterfaceName");
            assertEquals("eth", ifname.get("DstPrefix"));
            String peer = (String) ifname.get("SrcName");
            Map<String, Object> peerLink = link(sandbox, host, peer);
            assertEquals("02:42:0a:63:00:02", peerLink.get("address"));
            assertEquals(joined.body(), ok(docker.post("NetworkDriver.Join", join)).body());
            String bridge = "jnet-" + net.substring(0, 10);
            assertEquals(bridge, link(sandbox, host, (String) peerLink.get("link")).get("master"),
                    "the host end is a port of the network's bridge");

            // -p 8080:80 is a map element; the same port for a second endpoint is refused in Docker's words
            String portmap = "\"Options\":{\"com.docker.network.portmap\":[{\"Proto\":6,\"IP\":\"\",\"Port\":80,"
                    + "\"HostIP\":\"\",\"HostPort\":8080,\"HostPortEnd\":8080}]}}";
            ok(docker.post("NetworkDriver.ProgramExternalConnectivity", "{\"NetworkID\":\"" + net
                    + "\",\"EndpointID\":\"" + ep + "\"," + portmap));
            assertTrue(ruleset(sandbox, host).contains("8080"), "pub4 has the element");
            @SuppressWarnings("unchecked")
            Map<String, Object> info = (Map<String, Object>) ok(docker.post("NetworkDriver.EndpointOperInfo",
                    "{\"NetworkID\":\"" + net + "\",\"EndpointID\":\"" + ep + "\"}")).body().get("Value");
            assertEquals(1, ((List<?>) info.get("com.docker.network.portmap")).size());
            String ep2 = id();
            ok(docker.post("NetworkDriver.CreateEndpoint", "{\"NetworkID\":\"" + net + "\",\"EndpointID\":\"" + ep2
                    + "\",\"Interface\":{\"Address\":\"10.99.0.9/24\",\"MacAddress\":\"02:00:00:00:00:09\"}}"));
            ok(docker.post("NetworkDriver.Join", "{\"NetworkID\":\"" + net + "\",\"EndpointID\":\"" + ep2
                    + "\",\"SandboxKey\":\"" + ctr2.path() + "\"}"));
            refused(docker.post("NetworkDriver.ProgramExternalConnectivity", "{\"NetworkID\":\"" + net
                    + "\",\"EndpointID\":\"" + ep2 + "\"," + portmap), 409, "host port 8080/tcp is already published");
            refused(docker.post("NetworkDriver.Join", "{\"NetworkID\":\"" + net + "\",\"EndpointID\":\"" + id()
                    + "\",\"SandboxKey\":\"" + ctr2.path() + "\"}"), 404, "endpoint");
            refused(docker.post("NetworkDriver.DeleteNetwork", "{\"NetworkID\":\"" + net + "\"}"), 500,
                    "attachment");

            // everything taken down, each step twice, and nothing left: links, elements, leases, records
            for (String e : List.of(ep, ep2)) {
                String ids = "{\"NetworkID\":\"" + net + "\",\"EndpointID\":\"" + e + "\"}";
                for (int i = 0; i < 2; i++) {
                    ok(docker.post("NetworkDriver.RevokeExternalConnectivity", ids));
                    ok(docker.post("NetworkDriver.Leave", ids));
                    ok(docker.post("NetworkDriver.DeleteEndpoint", ids));
                }
            }
            for (String a : List.of("10.99.0.2", "10.99.0.9", "10.99.0.1")) {
                ok(docker.post("IpamDriver.ReleaseAddress", "{\"PoolID\":\"" + poolId + "\",\"Address\":\"" + a
                        + "\"}"));
            }
            ok(docker.post("NetworkDriver.DeleteNetwork", "{\"NetworkID\":\"" + net + "\"}"));
            ok(docker.post("NetworkDriver.DeleteNetwork", "{\"NetworkID\":\"" + net + "\"}"));
            ok(docker.post("IpamDriver.ReleasePool", "{\"PoolID\":\"" + poolId + "\"}"));
            ok(docker.post("IpamDriver.ReleasePool", "{\"PoolID\":\"" + poolId + "\"}"));

            String links = sandbox.in(host, "ip", "-j", "link").ok().stdout();
            assertFalse(links.contains(bridge) || links.contains(peer) || links.contains("\"jv"), links);
            assertFalse(ruleset(sandbox, host).contains("8080"), "no published-port element is left");
            assertEquals(List.of(), files(daemon.root().resolve("ipam").resolve(poolId)));
            assertEquals(List.of(), files(daemon.root().resolve("docker").resolve("endpoints")));
            assertFalse(jnet(daemon, host, "network", "ls", "--format", "json").stdout().contains(net));
        }
    }

    @Test
    void jnetsOptionNamesThroughDockerAndTheNetworkIsDockersInJnetsView(Sandbox sandbox) throws Exception {
        Sandbox.Ns host = sandbox.namespace("host");
        Sandbox.Ns ctr = sandbox.namespace("ctr");
        try (TestDaemon daemon = TestDaemon.in(host)) {
            PluginClient docker = new PluginClient(daemon.dockerSocket());
            String poolId = str(ok(docker.post("IpamDriver.RequestPool", "{\"Pool\":\"10.97.0.0/24\"}")), "PoolID");
            ok(docker.post("IpamDriver.RequestAddress", "{\"PoolID\":\"" + poolId + "\",\"Options\":{"
                    + "\"RequestAddressType\":\"com.docker.network.gateway\"}}"));
            String address = str(ok(docker.post("IpamDriver.RequestAddress", "{\"PoolID\":\"" + poolId + "\"}")),
                    "Address");

            // docker network create -d jnet -o icc=false -o internal=true -o mtu=1400 -o bridge=dkquiet0
            String net = id();
            String name = net.substring(0, 12);
            String ipv4 = "\"IPv4Data\":[{\"Pool\":\"10.97.0.0/24\",\"Gateway\":\"10.97.0.1/24\"}]";
            refused(docker.post("NetworkDriver.CreateNetwork", "{\"NetworkID\":\"" + net + "\",\"Options\":{"
                    + "\"com.docker.network.generic\":{\"icc\":\"false\",\"colour\":\"blue\"}}," + ipv4 + "}"),
                    400, "unknown option -o colour");
            ok(docker.post("NetworkDriver.CreateNetwork", "{\"NetworkID\":\"" + net + "\",\"Options\":{"
                    + "\"com.docker.network.generic\":{\"icc\":\"false\",\"internal\":\"true\",\"mtu\":\"1400\","
                    + "\"bridge\":\"dkquiet0\"}}," + ipv4 + "}"));
            Map<String, Object> inspected = Json.asObject(Json.asArray(Json.parse(
                    jnet(daemon, host, "network", "inspect", name).stdout()), "inspect").get(0), "network");
            assertEquals("dkquiet0", inspected.get("bridge"));
            assertEquals(false, inspected.get("icc"));
            assertEquals(true, inspected.get("internal"));
            assertEquals(1400L, ((Number) inspected.get("mtu")).longValue());
            assertEquals("bridge", inspected.get("driver"));
            assertEquals("docker", inspected.get("owner"));

            // a container joins: the kernel has the bridge with that MTU and the network's internal and icc rules
            String ep = id();
            ok(docker.post("NetworkDriver.CreateEndpoint", "{\"NetworkID\":\"" + net + "\",\"EndpointID\":\"" + ep
                    + "\",\"Interface\":{\"Address\":\"" + address + "\"}}"));
            PluginClient.Answer joined = ok(docker.post("NetworkDriver.Join", "{\"NetworkID\":\"" + net
                    + "\",\"EndpointID\":\"" + ep + "\",\"SandboxKey\":\"" + ctr.path() + "\"}"));
            assertFalse(joined.body().containsKey("Gateway"), "an internal network has no way out: " + joined.body());
            assertEquals(1400, ((Number) link(sandbox, host, "dkquiet0").get("mtu")).intValue());
            String rules = ruleset(sandbox, host);
            assertTrue(rules.contains("internal network " + name + ": no egress"), rules);
            assertTrue(rules.contains("icc=false: no traffic between the containers of " + name), rules);

            // jnet network ls marks it as Docker's; jnet network rm refuses it and changes nothing
            String row = jnet(daemon, host, "network", "ls").stdout().lines().filter(l -> l.contains(name))
                    .findFirst().orElseThrow();
            assertTrue(row.matches(name + " +" + name + " +bridge \\(docker\\) +dkquiet0 +10\\.97\\.0\\.0/24 "
                    + "\\(internal\\) +\\d+"), row);
            Sandbox.Run rm = jnetRun(daemon, host, "network", "rm", name);
            assertEquals(1, rm.exit(), rm.stdout() + rm.stderr());
            assertEquals("jnet network rm: network " + name + " belongs to Docker: remove it with docker network rm "
                    + name + "\n", rm.stderr());
            assertTrue(jnet(daemon, host, "network", "ls", "-q").stdout().lines().toList().contains(name));
            assertEquals(1400, ((Number) link(sandbox, host, "dkquiet0").get("mtu")).intValue());
            assertTrue(ruleset(sandbox, host).contains("icc=false: no traffic between the containers of " + name));

            // the container goes: jnet still refuses the network (Docker lists it), Docker removes it and its pool
            String ids = "{\"NetworkID\":\"" + net + "\",\"EndpointID\":\"" + ep + "\"}";
            ok(docker.post("NetworkDriver.Leave", ids));
            ok(docker.post("NetworkDriver.DeleteEndpoint", ids));
            assertEquals(rm.stderr(), jnetRun(daemon, host, "network", "rm", name).stderr(),
                    "refused without containers too: Docker still lists it");
            assertTrue(jnet(daemon, host, "network", "ls", "-q").stdout().lines().toList().contains(name));
            ok(docker.post("NetworkDriver.DeleteNetwork", "{\"NetworkID\":\"" + net + "\"}"));
            for (String a : List.of(address.substring(0, address.indexOf('/')), "10.97.0.1")) {
                ok(docker.post("IpamDriver.ReleaseAddress", "{\"PoolID\":\"" + poolId + "\",\"Address\":\"" + a
                        + "\"}"));
            }
            ok(docker.post("IpamDriver.ReleasePool", "{\"PoolID\":\"" + poolId + "\"}"));
            assertEquals(List.of(), files(daemon.root().resolve("ipam").resolve(poolId)));
            assertFalse(sandbox.in(host, "ip", "-j", "link").ok().stdout().contains("dkquiet0"));
            assertFalse(jnet(daemon, host, "network", "ls", "-q").stdout().contains(name));
        }
    }

    @Test
    void garbageGetsAnErrAndTheDaemonKeepsServing(Sandbox sandbox) throws Exception {
        Sandbox.Ns host = sandbox.namespace("host");
        try (TestDaemon daemon = TestDaemon.in(host)) {
            PluginClient docker = new PluginClient(daemon.dockerSocket());
            refused(docker.post("NetworkDriver.CreateNetwork", "{\"NetworkID\": [1,"), 400, "malformed JSON");
            refused(docker.post("NetworkDriver.CreateNetwork", "{\"NetworkID\": 7}"), 400, "NetworkID must be a string");
            refused(docker.post("NetworkDriver.Frobnicate", "{}"), 404, "unknown call /NetworkDriver.Frobnicate");
            refused(docker.post("NetworkDriver.EndpointOperInfo", "{\"NetworkID\":\"" + id() + "\",\"EndpointID\":\""
                    + id() + "\"}"), 404, "not found");
            refused(docker.post("NetworkDriver.Join", "{\"NetworkID\":\"" + id() + "\",\"EndpointID\":\"../../etc\"}"),
                    400, "invalid EndpointID");
            String huge = "{\"NetworkID\":\"" + "x".repeat(2 << 20) + "\"}";
            refused(docker.post("NetworkDriver.CreateNetwork", huge), 413, "larger than");
            byte[] junk = docker.exchange("\u0000\u0001 not http at all\r\n\r\n".getBytes(StandardCharsets.UTF_8));
            assertTrue(junk.length == 0 || new String(junk, StandardCharsets.UTF_8).contains("\"Err\""),
                    new String(junk, StandardCharsets.UTF_8));
            refused(PluginClient.parse(docker.exchange(("GET /Plugin.Activate HTTP/1.1\r\nHost: x\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII))), 405, "POST");
            assertEquals(List.of("NetworkDriver", "IpamDriver"),
                    ok(docker.post("Plugin.Activate", "")).body().get("Implements"));
            assertTrue(daemon.alive());
        }
    }

    private static Sandbox.Run jnet(TestDaemon daemon, Sandbox.Ns host, String... args) {
        return jnetRun(daemon, host, args).ok();
    }

    private static Sandbox.Run jnetRun(TestDaemon daemon, Sandbox.Ns host, String... args) {
        String[] command = Stream.concat(Stream.of(Launchers.bin("jnet").toString()), Stream.of(args))
                .toArray(String[]::new);
        return Sandbox.run(Map.of("JNET_ROOT", daemon.root().toString()), null, Sandbox.inCommand(host, command));
    }

    private static Map<String, Object> link(Sandbox sandbox, Sandbox.Ns ns, String name) throws Exception {
        Object parsed = Json.parse(sandbox.in(ns, "ip", "-j", "link", "show", name).ok().stdout());
        return Json.asObject(Json.asArray(parsed, "ip").get(0), "link");
    }

    private static String ruleset(Sandbox sandbox, Sandbox.Ns ns) {
        return sandbox.in(ns, "nft", "-j", "list", "ruleset").ok().stdout();
    }

    private static List<String> files(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.equals("lock")).sorted().toList();
        }
    }
}
