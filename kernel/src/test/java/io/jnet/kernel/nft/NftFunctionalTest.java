package io.jnet.kernel.nft;

import io.jnet.kernel.testing.Sandbox;
import io.jnet.kernel.testing.SandboxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.jnet.kernel.nft.Fixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real TCP connections through rules and map elements written by this library. Three throwaway namespaces: a
 * "host" with bridge br0 (10.233.0.1/24) and an uplink (198.18.0.1/24), a "container" on the bridge
 * (10.233.0.2) and an "outside" client (198.18.0.2). Listeners answer with the peer address they see.
 */
@ExtendWith(SandboxExtension.class)
class NftFunctionalTest {

    private static final NftSet PUBLISHED = DNAT4;
    private static final Element WEB = Element.of(protoPort(Rules.TCP, 8080), addrPort("10.233.0.2", 80));

    private record Topology(Sandbox.Ns host, Sandbox.Ns container, Sandbox.Ns outside) {
    }

    private static Topology topology(Sandbox sandbox) {
        Topology t = new Topology(sandbox.namespace("host"), sandbox.namespace("ctr"), sandbox.namespace("out"));
        String host = t.host().name();
        ipIn(host, "link", "set", "lo", "up");
        ipIn(host, "link", "add", "br0", "type", "bridge");
        ipIn(host, "addr", "add", "10.233.0.1/24", "dev", "br0");
        ipIn(host, "link", "set", "br0", "up");
        ipIn(host, "link", "add", "hv0", "type", "veth", "peer", "name", "eth0", "netns", t.container().name());
        ipIn(host, "link", "set", "hv0", "master", "br0", "up");
        ipIn(host, "link", "add", "ho0", "type", "veth", "peer", "name", "eth0", "netns", t.outside().name());
        ipIn(host, "addr", "add", "198.18.0.1/24", "dev", "ho0");
        ipIn(host, "link", "set", "ho0", "up");
        ipIn(t.container().name(), "addr", "add", "10.233.0.2/24", "dev", "eth0");
        ipIn(t.container().name(), "link", "set", "eth0", "up");
        ipIn(t.container().name(), "link", "set", "lo", "up");
        ipIn(t.container().name(), "route", "add", "default", "via", "10.233.0.1");
        ipIn(t.outside().name(), "addr", "add", "198.18.0.2/24", "dev", "eth0");
        ipIn(t.outside().name(), "link", "set", "eth0", "up");
        sandbox.in(t.host(), "sysctl", "-qw", "net.ipv4.ip_forward=1").ok();
        return t;
    }

    private static void ipIn(String ns, String... args) {
        String[] cmd = new String[args.length + 3];
        cmd[0] = "ip";
        cmd[1] = "-n";
        cmd[2] = ns;
        System.arraycopy(args, 0, cmd, 3, args.length);
        Sandbox.run(cmd).ok();
    }

    /** The host's firewall as the bridge driver sets it up: one batch. */
    private static NftBatch firewall(boolean masquerade) {
        NftBatch b = new NftBatch().addTable(T).addSet(PUBLISHED).addChain(PREROUTING).addChain(POSTROUTING)
                .addChain(FORWARD)
                .addRule(Rule.in(PREROUTING).add(Rules.fibDaddrLocal())
                        .add(Rules.dnatByProtoPort(Family.IP, PUBLISHED.name())).comment("published ports").build())
                .addRule(Rule.in(FORWARD).add(Rules.ctState(Rules.CT_STATE_ESTABLISHED | Rules.CT_STATE_RELATED))
                        .add(Rules.accept()).comment("established").build())
                .addRule(Rule.in(FORWARD).add(Rules.ctStatus(Rules.CT_STATUS_DNAT)).add(Rules.accept())
                        .comment("published ports").build())
                .addRule(Rule.in(FORWARD).add(Rules.iifname("br0")).add(Rules.oifnameNot("br0")).add(Rules.accept())
                        .comment("egress br0").build());
        if (masquerade) {
            b.addRule(Rule.in(POSTROUTING).add(Rules.iifname("br0")).add(Rules.oifnameNot("br0"))
                    .add(Rules.saddr(ip("10.233.0.0"), 24)).add(Rules.masquerade()).comment("masq br0").build());
        }
        return b;
    }

    /** A TCP listener that answers every connection with the peer address it sees; stopped by its PID. */
    private static final class Listener implements AutoCloseable {
        private final Process process;
        private final int port;

        Listener(Sandbox sandbox, Sandbox.Ns ns, int port) throws IOException, InterruptedException {
            this.port = port;
            // ip netns exec execs socat, so this process is socat itself
            process = new ProcessBuilder(Sandbox.inCommand(ns, "socat", "TCP-LISTEN:" + port + ",reuseaddr,fork",
                    "SYSTEM:echo $SOCAT_PEERADDR")).redirectErrorStream(true).start();
            for (int i = 0; i < 100; i++) {
                if (sandbox.in(ns, "ss", "-Hltn", "sport = :" + port).ok().stdout().contains(":" + port)) {
                    return;
                }
                Thread.sleep(20);
            }
            close();
            throw new AssertionError("listener on port " + port + " in " + ns.name() + " did not start");
        }

        int port() {
            return port;
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Connects and returns what the listener said, or the failure. */
    private static Sandbox.Run connect(Sandbox sandbox, Sandbox.Ns from, String address, int port) {
        return sandbox.in(from, "socat", "-T3", "-", "TCP:" + address + ":" + port + ",connect-timeout=2");
    }

    @Test
    void aDnatMapElementPublishesAPortAndDeletingItStopsIt(Sandbox sandbox) throws Exception {
        Topology t = topology(sandbox);
        try (Nftables nft = NftablesKernelTest.open(t.host());
             Listener web = new Listener(sandbox, t.container(), 80)) {
            nft.apply(firewall(true));
            assertNotEquals(0, connect(sandbox, t.outside(), "198.18.0.1", 8080).exit(), "published before ADD");

            nft.apply(new NftBatch().addElement(PUBLISHED, WEB));
            Sandbox.Run reached = connect(sandbox, t.outside(), "198.18.0.1", 8080).ok();
            // DNAT only: the container sees the real client
            assertEquals("198.18.0.2", reached.stdout().trim());
            String conntrack = sandbox.in(t.host(), "conntrack", "-L", "-p", "tcp", "--dport", "8080").stdout();
            assertTrue(conntrack.contains("src=10.233.0.2") && conntrack.contains("sport=" + web.port()), conntrack);

            nft.apply(new NftBatch().deleteElement(PUBLISHED, Element.of(WEB.key())));
            assertEquals(List.of(), nft.elements(PUBLISHED));
            Sandbox.Run after = connect(sandbox, t.outside(), "198.18.0.1", 8080);
            assertNotEquals(0, after.exit(), "still published after DEL: " + after);
            assertEquals("", after.stdout().trim());
        }
    }

    @Test
    void aPortRangeIsOneIntervalElement(Sandbox sandbox) throws Exception {
        Topology t = topology(sandbox);
        NftSet ranges = NftSet.map(T, "ranges", SetType.of(Datatype.INET_PROTO, Datatype.INET_SERVICE),
                SetType.of(Datatype.IPV4_ADDR)).withInterval();
        try (Nftables nft = NftablesKernelTest.open(t.host());
             Listener first = new Listener(sandbox, t.container(), 9000);
             Listener inside = new Listener(sandbox, t.container(), 9005);
             Listener beyond = new Listener(sandbox, t.container(), 9011)) {
            nft.apply(firewall(true).addSet(ranges)
                    .addElement(ranges, Element.range(protoPort(Rules.TCP, 9000), protoPort(Rules.TCP, 9010),
                            addr("10.233.0.2")))
                    .addRule(Rule.in(PREROUTING).add(Rules.fibDaddrLocal()).add(Rules.l4proto(Rules.TCP))
                            .add(Rules.dnatAddressByProtoPort(Family.IP, ranges.name())).comment("port ranges")
                            .build()));
            // each port of the range reaches the same port of the container
            assertEquals("198.18.0.2", connect(sandbox, t.outside(), "198.18.0.1", first.port()).ok().stdout().trim());
            assertEquals("198.18.0.2", connect(sandbox, t.outside(), "198.18.0.1", inside.port()).ok().stdout().trim());
            assertNotEquals(0, connect(sandbox, t.outside(), "198.18.0.1", beyond.port()).exit(), "outside the range");
        }
    }

    @Test
    void masqueradeRewritesTheSourceTheOutsideSees(Sandbox sandbox) throws Exception {
        Topology t = topology(sandbox);
        try (Nftables nft = NftablesKernelTest.open(t.host());
             Listener outside = new Listener(sandbox, t.outside(), 9000)) {
            // without masquerade the outside has no route back to the container's subnet
            nft.apply(firewall(false));
            assertNotEquals(0, connect(sandbox, t.container(), "198.18.0.2", outside.port()).exit());

            nft.apply(new NftBatch().destroyTable(T).addTable(T));
            nft.apply(firewall(true));
            Sandbox.Run reached = connect(sandbox, t.container(), "198.18.0.2", outside.port()).ok();
            assertEquals("198.18.0.1", reached.stdout().trim());
        }
    }
}
