package io.jnet.kernel.rtnl;

import io.jnet.kernel.netns.NetNs;
import io.jnet.kernel.netlink.NetlinkSocket;
import io.jnet.kernel.testing.Sandbox;
import io.jnet.kernel.testing.SandboxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(SandboxExtension.class)
class RtnetlinkKernelTest {

    @Test
    void findsLoopbackAndSetsItUpAndDown(Sandbox sandbox) throws Exception {
        Sandbox.Ns ns = sandbox.namespace("rtnl");
        try (NetNs netns = NetNs.open(ns.path());
             Rtnetlink rtnl = new Rtnetlink(netns.openSocket(NetlinkSocket.NETLINK_ROUTE))) {
            Link lo = rtnl.link("lo").orElseThrow();
            assertEquals(1, lo.index());
            assertFalse(lo.isUp());

            rtnl.setUp(lo.index(), true);
            assertTrue(rtnl.link("lo").orElseThrow().isUp());
            // the oracle: iproute2 sees the same state in the same namespace
            assertTrue(sandbox.in(ns, "ip", "-j", "link", "show", "lo").ok().stdout().contains("\"UP\""));

            rtnl.setUp(lo.index(), false);
            assertFalse(rtnl.link("lo").orElseThrow().isUp());
            assertTrue(rtnl.link("nosuchlink0").isEmpty());
        }
    }
}
