package io.jnet.ipam;

import java.util.List;

/**
 * What an attachment holds: one address per range set (in the config's order), with the routes and DNS that the
 * ADD reported. A repeated ADD returns the stored lease unchanged.
 */
public record Lease(Owner owner, List<LeasedIp> ips, List<StaticRoute> routes, DnsSettings dns) {

    public Lease {
        if (owner == null || dns == null) {
            throw new IllegalArgumentException("a lease needs an owner and DNS settings");
        }
        ips = List.copyOf(ips);
        routes = List.copyOf(routes);
        if (ips.isEmpty()) {
            throw new IllegalArgumentException("a lease holds at least one address");
        }
    }
}
