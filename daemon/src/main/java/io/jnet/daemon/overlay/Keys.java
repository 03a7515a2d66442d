package io.jnet.daemon.overlay;

import io.jnet.cni.IpPrefix;

/**
 * The etcd key layout, versioned so that a later layout can live beside it:
 * <pre>
 * /jnet/v1/networks/NAME                 the network (JSON, {@link OverlayNetwork}), no lease
 * /jnet/v1/subnets/NAME/10.100.1.0-24    a host's claim (JSON, {@link HostClaim}), bound to that host's lease
 * </pre>
 */
public final class Keys {

    public static final String ROOT = "/jnet/v1/";
    public static final String NETWORKS = ROOT + "networks/";
    public static final String SUBNETS = ROOT + "subnets/";

    private Keys() {
    }

    public static String network(String name) {
        return NETWORKS + name;
    }

    /** The prefix of a network's claims. */
    public static String claims(String network) {
        return SUBNETS + network + "/";
    }

    public static String claim(String network, IpPrefix hostSubnet) {
        return claims(network) + IpPrefix.formatAddress(hostSubnet.address()) + "-" + hostSubnet.prefixLength();
    }
}
