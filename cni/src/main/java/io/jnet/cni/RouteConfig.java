package io.jnet.cni;

import java.net.InetAddress;

/**
 * A route in a result. {@code gw} is null when absent, and every int is 0 when absent. mtu, advmss, priority,
 * table and scope exist from spec 1.1.
 */
public record RouteConfig(IpPrefix dst, InetAddress gw, int mtu, int advmss, int priority, int table, int scope) {

    public RouteConfig {
        if (dst == null) {
            throw new IllegalArgumentException("route dst is null");
        }
        if (mtu < 0 || advmss < 0 || priority < 0 || table < 0 || scope < 0) {
            throw new IllegalArgumentException("route " + dst + ": negative attribute");
        }
    }

    public RouteConfig(IpPrefix dst, InetAddress gw) {
        this(dst, gw, 0, 0, 0, 0, 0);
    }
}
