package io.jnet.ipam;

import java.net.InetAddress;
import java.util.Optional;

/** A route from the config's {@code routes}: {@code {"dst": "0.0.0.0/0", "gw": "10.0.0.1"}}, gw optional. */
public record StaticRoute(Subnet destination, Optional<InetAddress> gateway) {

    public StaticRoute {
        if (destination == null || gateway == null) {
            throw new IllegalArgumentException("a route needs a destination (and an Optional gateway)");
        }
        gateway = gateway.map(g -> Ip.of(g).toInet());
        if (gateway.isPresent() && Ip.of(gateway.get()).v6() != !destination.isIpv4()) {
            throw new IllegalArgumentException("route " + destination + ": gateway "
                    + Ip.of(gateway.get()) + " is of the other family");
        }
    }

    @Override
    public String toString() {
        return destination + gateway.map(g -> " via " + Ip.of(g)).orElse("");
    }
}
