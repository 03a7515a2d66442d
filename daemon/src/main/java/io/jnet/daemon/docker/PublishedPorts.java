package io.jnet.daemon.docker;

import io.jnet.bridge.PortMapping;
import io.jnet.cni.IpPrefix;
import io.jnet.daemon.proxy.UserlandProxy;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An endpoint's published ports as Docker sends them ({@code com.docker.network.portmap}) and as the endpoint record
 * keeps them: the bindings that become map elements, and those the userland proxy serves, recorded so that a
 * restarted daemon listens again.
 */
final class PublishedPorts {

    private final DockerStore store;
    private final UserlandProxy proxy;

    PublishedPorts(DockerStore store, UserlandProxy proxy) {
        this.store = store;
        this.proxy = proxy;
    }

    /** Listens again for what the endpoints recorded (after a restart); returns what failed. */
    List<String> restore() throws IOException {
        List<String> failed = new ArrayList<>();
        for (Map<String, Object> e : store.endpoints.list()) {
            for (UserlandProxy.Binding b : proxied(e)) {
                try {
                    proxy.start(b);
                } catch (IOException ex) {
                    failed.add(e.get("endpointId") + ": " + ex.getMessage());
                }
            }
        }
        return failed;
    }

    /** A binding of the proxy to the endpoint's IPv4 address; the proxy serves TCP and UDP only. */
    static UserlandProxy.Binding proxyBinding(PortMapping p, Map<String, Object> e) throws DockerException {
        String v4 = (String) e.get("address");
        if (v4.isEmpty()) {
            throw DockerException.badRequest("endpoint has no address to publish " + p + " to");
        }
        try {
            return new UserlandProxy.Binding(p.protocol(), p.hostIp(), p.hostPort(), IpPrefix.parse(v4).address(),
                    p.containerPort());
        } catch (IllegalArgumentException ex) {
            throw DockerException.badRequest("cannot publish " + p + " on IPv6 for a container without IPv6: "
                    + ex.getMessage());
        }
    }

    static Map<String, Object> toJson(UserlandProxy.Binding b) {
        return Map.of("protocol", b.protocol(), "hostIp", IpPrefix.formatAddress(b.hostIp()),
                "hostPort", (long) b.hostPort(), "target", IpPrefix.formatAddress(b.target()),
                "targetPort", (long) b.targetPort());
    }

    /** Whether the endpoint has published ports recorded. */
    static boolean publishes(Map<String, Object> e) {
        return e.get("portmap") instanceof List<?> l && !l.isEmpty();
    }

    /** The proxy bindings an endpoint recorded. */
    static List<UserlandProxy.Binding> proxied(Map<String, Object> e) {
        List<UserlandProxy.Binding> out = new ArrayList<>();
        if (e.get("proxied") instanceof List<?> list) {
            for (Object o : list) {
                Map<?, ?> m = (Map<?, ?>) o;
                out.add(new UserlandProxy.Binding((String) m.get("protocol"),
                        IpPrefix.parseAddress((String) m.get("hostIp")), ((Number) m.get("hostPort")).intValue(),
                        IpPrefix.parseAddress((String) m.get("target")), ((Number) m.get("targetPort")).intValue()));
            }
        }
        return out;
    }

    /** Stops the endpoint's proxy listeners and forgets them. */
    void unproxy(String endpointId) throws IOException {
        Optional<Map<String, Object>> recorded = store.endpoints.get(endpointId);
        if (recorded.isEmpty()) {
            return;
        }
        Map<String, Object> e = new LinkedHashMap<>(recorded.get());
        List<UserlandProxy.Binding> bindings = proxied(e);
        if (!bindings.isEmpty()) {
            bindings.forEach(proxy::stop);
            e.put("proxied", List.of());
            store.endpoints.put(endpointId, e);
        }
    }

    /**
     * Docker's port bindings as published ports: one per host port of a range. A binding without a host port
     * ({@code -P}, {@code -p 80}) asks the driver to choose one, which it could not report back through this API.
     */
    static List<PortMapping> ports(List<Body> bindings) throws DockerException {
        List<PortMapping> out = new ArrayList<>();
        for (Body p : bindings) {
            String proto = switch ((int) p.number("Proto")) {
                case 6 -> "tcp";
                case 17 -> "udp";
                case 132 -> "sctp";
                default -> throw DockerException.badRequest("unknown protocol number " + p.number("Proto"));
            };
            int port = (int) p.number("Port");
            int hostPort = (int) p.number("HostPort");
            if (hostPort == 0) {
                throw DockerException.badRequest("jnet publishes only given host ports: use -p HOSTPORT:" + port
                        + " instead of -P or -p " + port);
            }
            String hostIp = p.string("HostIP");
            InetAddress host;
            try {
                host = hostIp.isEmpty() ? null : IpPrefix.parseAddress(hostIp);
                // a range of host ports for one container port (-p 8000-8010:80) lets the driver pick: the first
                // 0.0.0.0 is every address (of both families, as "" is); :: stays IPv6's, for the proxy to tell
                boolean everyV4 = host instanceof Inet4Address && host.isAnyLocalAddress();
                out.add(new PortMapping(proto, hostPort, port, everyV4 ? null : host));
            } catch (IllegalArgumentException e) {
                throw DockerException.badRequest(e.getMessage());
            }
        }
        return out;
    }

}
