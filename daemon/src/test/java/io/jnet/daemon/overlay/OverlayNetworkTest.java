package io.jnet.daemon.overlay;

import io.jnet.cni.IpPrefix;
import io.jnet.kernel.rtnl.MacAddress;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OverlayNetworkTest {

    private static OverlayNetwork network(String subnet, int hostLength) {
        return new OverlayNetwork("ov1", IpPrefix.parse(subnet), hostLength, 4096, Instant.parse("2026-01-01T00:00:00Z"));
    }

    @Test
    void hostSubnetsLeaveOutTheFirstAsFlannelDoes() {
        OverlayNetwork n = network("10.100.0.0/16", 24);
        assertEquals(255, n.hostSubnets());
        assertEquals(IpPrefix.parse("10.100.1.0/24"), n.hostSubnet(0));
        assertEquals(IpPrefix.parse("10.100.255.0/24"), n.hostSubnet(254));
        assertTrue(n.isHostSubnet(IpPrefix.parse("10.100.7.0/24")));
        assertFalse(n.isHostSubnet(IpPrefix.parse("10.100.0.0/24")), "the network's own first subnet");
        assertFalse(n.isHostSubnet(IpPrefix.parse("10.101.7.0/24")));
        assertFalse(n.isHostSubnet(IpPrefix.parse("10.100.7.0/25")));
        OverlayNetwork one = network("10.150.0.0/23", 24);
        assertEquals(1, one.hostSubnets());
        assertEquals(IpPrefix.parse("10.150.1.0/24"), one.hostSubnet(0));
        assertEquals(IpPrefix.parse("172.16.0.64/26"), network("172.16.0.0/24", 26).hostSubnet(0));
    }

    @Test
    void refusesWhatCannotBeCut() {
        assertThrows(IllegalArgumentException.class, () -> network("10.100.0.0/16", 16));
        assertThrows(IllegalArgumentException.class, () -> network("10.100.0.0/16", 31));
        assertThrows(IllegalArgumentException.class, () -> network("10.100.0.1/16", 24));
        assertThrows(IllegalArgumentException.class, () -> network("10.0.0.0/8", 28));
        assertThrows(IllegalArgumentException.class, () -> network("fd00::/64", 80));
        assertThrows(IllegalArgumentException.class, () -> new OverlayNetwork("ov1", IpPrefix.parse("10.1.0.0/16"),
                24, 1 << 24, Instant.EPOCH));
    }

    @Test
    void jsonRoundTripsAndKeysAreVersioned() throws Exception {
        OverlayNetwork n = network("10.100.0.0/16", 24);
        assertEquals(n, OverlayNetwork.fromJson(n.toJson()));
        HostClaim claim = new HostClaim(n.hostSubnet(2), IpPrefix.parseAddress("10.77.0.3"),
                MacAddress.parse("02:00:00:00:00:03"), "vm 10.77.0.3");
        assertEquals(claim, HostClaim.fromJson(claim.toJson()));
        assertEquals(IpPrefix.parseAddress("10.100.3.0"), claim.vtep());
        assertEquals("/jnet/v1/networks/ov1", Keys.network("ov1"));
        assertEquals("/jnet/v1/subnets/ov1/10.100.3.0-24", Keys.claim("ov1", claim.hostSubnet()));
        assertTrue(Keys.claim("ov1", claim.hostSubnet()).startsWith(Keys.claims("ov1")));
    }
}
