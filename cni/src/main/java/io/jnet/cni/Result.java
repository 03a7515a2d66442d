package io.jnet.cni;

import java.util.List;

/**
 * An ADD result in the internal (spec 1.1) shape; {@link ResultCodec} writes it in any supported version.
 * Lists are immutable and never null.
 */
public record Result(List<Interface> interfaces, List<IpConfig> ips, List<RouteConfig> routes, Dns dns) {

    public static final Result EMPTY = new Result(List.of(), List.of(), List.of(), Dns.EMPTY);

    public Result {
        interfaces = interfaces == null ? List.of() : List.copyOf(interfaces);
        ips = ips == null ? List.of() : List.copyOf(ips);
        routes = routes == null ? List.of() : List.copyOf(routes);
        dns = dns == null ? Dns.EMPTY : dns;
    }
}
