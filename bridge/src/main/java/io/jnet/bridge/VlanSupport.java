package io.jnet.bridge;

import io.jnet.kernel.netns.NetNs;
import io.jnet.kernel.rtnl.LinkSpec;
import io.jnet.kernel.rtnl.Rtnetlink;
import io.jnet.kernel.sys.Errno;
import io.jnet.kernel.sys.ErrnoException;

import java.io.IOException;

/**
 * Whether this kernel has bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING), found out by asking it: a bridge with
 * IFLA_BR_VLAN_FILTERING on, made in a throwaway namespace that vanishes with the probe, so no namespace that exists
 * changes. A kernel without it refuses the attribute with EOPNOTSUPP.
 */
final class VlanSupport {

    private VlanSupport() {
    }

    static boolean kernelHasVlanFiltering() throws IOException {
        return NetNs.inThrowaway(() -> {
            try (Rtnetlink rtnl = Rtnetlink.open()) {
                rtnl.createLink(LinkSpec.bridge("vlanprobe").withVlanFiltering(true));
                return true;
            } catch (ErrnoException e) {
                if (e.errno() == Errno.EOPNOTSUPP) {
                    return false;
                }
                throw e;
            }
        });
    }
}
