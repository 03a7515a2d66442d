package io.jnet.kernel.conntrack;

import io.jnet.kernel.netlink.NetlinkSocket;
import io.jnet.kernel.netns.NetNs;
import io.jnet.kernel.testing.Sandbox;
import io.jnet.kernel.testing.SandboxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(SandboxExtension.class)
class ConntrackKernelTest {

    @Test
    void flushDeletesTheEntriesToOnePortAndNoOthers(Sandbox sandbox) throws Exception {
        Sandbox.Ns a = sandbox.namespace("cta");
        Sandbox.Ns b = sandbox.namespace("ctb");
        sandbox.in(a, "ip", "link", "add", "v0", "type", "veth", "peer", "name", "v1", "netns", b.name()).ok();
        sandbox.in(a, "ip", "addr", "add", "198.18.3.1/24", "dev", "v0").ok();
        sandbox.in(b, "ip", "addr", "add", "198.18.3.2/24", "dev", "v1").ok();
        sandbox.in(a, "ip", "link", "set", "v0", "up").ok();
        sandbox.in(b, "ip", "link", "set", "v1", "up").ok();
        // conntrack only tracks where a ruleset asks for it
        sandbox.in(a, "nft", "add table inet t; add chain inet t o { type filter hook output priority 0; }; "
                + "add rule inet t o ct state new counter").ok();
        for (int port : new int[] {5353, 5354}) {
            sandbox.in(a, "sh", "-c", "echo x | socat -u - UDP:198.18.3.2:" + port).ok();
        }
        assertTrue(entries(sandbox, a, 5353) > 0);
        assertTrue(entries(sandbox, a, 5354) > 0);

        try (NetNs ns = NetNs.open(a.path());
             Conntrack ct = new Conntrack(ns.openSocket(NetlinkSocket.NETLINK_NETFILTER))) {
            ct.flush(Conntrack.AF_INET, 17, 5353);
            assertEquals(0, entries(sandbox, a, 5353));
            assertTrue(entries(sandbox, a, 5354) > 0, "entries to other ports stay");
            ct.flush(Conntrack.AF_INET, 17, 5353); // nothing left to delete is fine
            ct.flush(Conntrack.AF_INET6, 17, 5354);
            assertTrue(entries(sandbox, a, 5354) > 0, "an IPv6 flush leaves IPv4 entries alone");
        }
        assertFalse(sandbox.in(a, "conntrack", "-L", "-p", "udp").ok().stdout().contains("dport=5353"));
    }

    private static long entries(Sandbox sandbox, Sandbox.Ns ns, int port) {
        return sandbox.in(ns, "conntrack", "-L", "-p", "udp").stdout().lines()
                .filter(l -> l.contains("dport=" + port + " ")).count();
    }
}
