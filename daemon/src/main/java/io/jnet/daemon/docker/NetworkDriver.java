package io.jnet.daemon.docker;

import io.jnet.bridge.BridgeDriver;
import io.jnet.bridge.PortMapping;
import io.jnet.cni.CniCommand;
import io.jnet.cni.CniException;
import io.jnet.cni.CniRequest;
import io.jnet.cni.IpConfig;
import io.jnet.cni.IpPrefix;
import io.jnet.cni.NetConf;
import io.jnet.daemon.proxy.UserlandProxy;
import io.jnet.kernel.rtnl.MacAddress;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * libnetwork's NetworkDriver on the bridge driver. A Docker network is a network of the store, named after the first
 * 12 digits of Docker's id (which is its id too); an endpoint is an attachment of the bridge driver, keyed by
 * Docker's endpoint id and the interface name {@value #IFNAME}, made at Join with its container end left in the host
 * namespace for Docker to move. Every call is idempotent: Docker repeats them after its own restarts.
 */
final class NetworkDriver {

    /** The attachment's interface name in the bridge driver's records, and the prefix Docker names the interface with. */
    static final String IFNAME = "eth";
    static final String GENERIC = "com.docker.network.generic";
    static final String PORTMAP = "com.docker.network.portmap";
    private static final String ENABLE_IPV6 = "com.docker.network.enable_ipv6";
    private static final String INTERNAL = "com.docker.network.internal";

    private final NetworkCatalog networks;
    private final BridgeDriver bridge;
    private final DockerStore store;
    private final UserlandProxy proxy;
    private final PublishedPorts published;

    NetworkDriver(NetworkCatalog networks, BridgeDriver bridge, DockerStore store, UserlandProxy proxy) {
        this.networks = networks;
        this.bridge = bridge;
        this.store = store;
        this.proxy = proxy;
        this.published = new PublishedPorts(store, proxy);
    }

    /** Listens again for the proxied ports the endpoints recorded (after a restart); returns what failed. */
    List<String> restoreProxies() throws IOException {
        return published.restore();
    }

    Map<String, Object> capabilities() {
        return Map.of("Scope", "local", "ConnectivityScope", "local");
    }

    /** jnet's name for a Docker network. */
    static String name(String networkId) throws DockerException {
        if (networkId.length() < 12 || !networkId.matches("[0-9a-zA-Z]+")) {
            throw DockerException.badRequest("invalid NetworkID \"" + networkId + "\"");
        }
        return networkId.substring(0, 12);
    }

    Map<String, Object> createNetwork(Body b) throws DockerException, IOException {
        String id = b.required("NetworkID");
        String name = name(id);
        Optional<NetworkCatalog.Network> existing = networks.find(name);
        if (existing.isPresent()) {
            if (!existing.get().id().equals(id)) {
                throw DockerException.conflict("jnet already has a network named " + name + " (another id)");
            }
            return Map.of();
        }
        Body options = b.object("Options");
        Map<String, String> generic = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : options.object(GENERIC).fields().entrySet()) {
            generic.put(e.getKey(), String.valueOf(e.getValue()));
        }
        List<NetworkCatalog.Subnet> subnets = new ArrayList<>();
        subnets.addAll(subnets(b, "IPv4Data", true));
        subnets.addAll(subnets(b, "IPv6Data", false));
        NetworkCatalog.Spec spec = new NetworkCatalog.Spec(name, id, subnets, options.bool(ENABLE_IPV6),
                options.bool(INTERNAL), generic);
        try {
            networks.create(spec);
        } catch (IllegalArgumentException e) {
            throw DockerException.badRequest(e.getMessage());
        }
        return Map.of();
    }

    /** Docker's IPAM data of one family: at most one pool (jnet's networks have one subnet per family). */
    private List<NetworkCatalog.Subnet> subnets(Body b, String key, boolean ipv4) throws DockerException, IOException {
        List<Body> data = b.objects(key);
        if (data.size() > 1) {
            throw DockerException.badRequest("jnet networks take one subnet per address family, not " + data.size()
                    + " (" + key + ")");
        }
        List<NetworkCatalog.Subnet> out = new ArrayList<>();
        for (Body d : data) {
            IpPrefix pool = IpamDriver.prefix(d.required("Pool"), key + ".Pool");
            if (pool.isIpv4() != ipv4) {
                throw DockerException.badRequest(key + ".Pool " + pool + " is of the other address family");
            }
            String gw = d.string("Gateway");
            InetAddress gateway = gw.isEmpty() ? null : IpamDriver.prefix(gw.contains("/") ? gw : gw + "/"
                    + pool.prefixLength(), key + ".Gateway").address();
            IpPrefix range = null;
            Optional<Map<String, Object>> ours = store.pools.get(IpamDriver.poolId(pool.network()));
            if (ours.isPresent() && ours.get().get("ipRange") != null) {
                range = IpPrefix.parse((String) ours.get().get("ipRange"));
            }
            out.add(new NetworkCatalog.Subnet(pool.network(), gateway, range));
        }
        return out;
    }

    Map<String, Object> deleteNetwork(Body b) throws DockerException, IOException {
        networks.remove(name(b.required("NetworkID")));
        return Map.of();
    }

    Map<String, Object> createEndpoint(Body b) throws DockerException, IOException {
        String networkId = b.required("NetworkID");
        String endpointId = endpointId(b);
        network(networkId);
        Optional<Map<String, Object>> existing = store.endpoints.get(endpointId);
        if (existing.isPresent()) {
            return createdResponse(existing.get());
        }
        Body iface = b.object("Interface");
        String v4 = iface.string("Address");
        String v6 = iface.string("AddressIPv6");
        if (v4.isEmpty() && v6.isEmpty()) {
            throw DockerException.badRequest("CreateEndpoint: the endpoint has no address (jnet needs an IPAM driver)");
        }
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("endpointId", endpointId);
        e.put("networkId", networkId);
        e.put("address", v4.isEmpty() ? "" : IpamDriver.prefix(v4, "Address").toString());
        e.put("addressIPv6", v6.isEmpty() ? "" : IpamDriver.prefix(v6, "AddressIPv6").toString());
        String mac = iface.string("MacAddress");
        e.put("macGiven", !mac.isEmpty());
        e.put("mac", mac.isEmpty() ? mac(v4.isEmpty() ? null : IpPrefix.parse(v4).address(), endpointId) : check(mac));
        e.put("portmap", List.of());
        store.endpoints.put(endpointId, e);
        return createdResponse(e);
    }

    /** Docker takes the interface's MAC and addresses from the response only when it did not give them. */
    private static Map<String, Object> createdResponse(Map<String, Object> e) {
        if (Boolean.TRUE.equals(e.get("macGiven"))) {
            return Map.of();
        }
        return Map.of("Interface", Map.of("MacAddress", e.get("mac")));
    }

    /** Docker's own rule: 02:42 and the IPv4 address; without one, 02:42 and bytes of the endpoint id. */
    private static String mac(InetAddress v4, String endpointId) {
        byte[] b = new byte[6];
        b[0] = 0x02;
        b[1] = 0x42;
        if (v4 != null) {
            System.arraycopy(v4.getAddress(), 0, b, 2, 4);
        } else {
            for (int i = 0; i < 4; i++) {
                b[2 + i] = (byte) Integer.parseInt(endpointId.substring(2 * i, 2 * i + 2), 16);
            }
        }
        return MacAddress.of(b).toString();
    }

    private static String check(String mac) throws DockerException {
        try {
            return MacAddress.parse(mac).toString();
        } catch (IllegalArgumentException e) {
            throw DockerException.badRequest("invalid MacAddress \"" + mac + "\"");
        }
    }

    Map<String, Object> deleteEndpoint(Body b) throws DockerException, IOException {
        String endpointId = endpointId(b);
        published.unproxy(endpointId);
        Optional<NetworkCatalog.Network> network = networks.find(name(b.required("NetworkID")));
        if (network.isPresent()) {
            run(() -> bridge.detach(request(CniCommand.DEL, network.get(), endpointId, "")));
        }
        store.endpoints.remove(endpointId);
        return Map.of();
    }

    Map<String, Object> endpointInfo(Body b) throws DockerException, IOException {
        Map<String, Object> e = endpoint(b);
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("com.docker.network.endpoint.macaddress", e.get("mac"));
        value.put(PORTMAP, e.get("portmap"));
        return Map.of("Value", value);
    }

    Map<String, Object> join(Body b) throws DockerException, IOException {
        Map<String, Object> e = endpoint(b);
        NetworkCatalog.Network network = network(b.required("NetworkID"));
        String endpointId = (String) e.get("endpointId");
        String sandbox = b.required("SandboxKey");
        List<IpConfig> ips = new ArrayList<>();
        String gw4 = "";
        String gw6 = "";
        for (String key : List.of("address", "addressIPv6")) {
            String text = (String) e.get(key);
            if (text.isEmpty()) {
                continue;
            }
            IpPrefix ip = IpPrefix.parse(text);
            InetAddress gw = gateway(network, ip);
            ips.add(new IpConfig(ip, gw, 0));
            if (gw != null && !network.internal()) {
                if (ip.address() instanceof Inet4Address) {
                    gw4 = IpPrefix.formatAddress(gw);
                } else {
                    gw6 = IpPrefix.formatAddress(gw);
                }
            }
        }
        boolean attached = bridge.endpoints(network.name()).stream()
                .anyMatch(a -> a.containerId().equals(endpointId) && !a.ips().isEmpty());
        if (!attached) {
            MacAddress mac = MacAddress.parse((String) e.get("mac"));
            run(() -> bridge.attachForHandover(request(CniCommand.ADD, network, endpointId, sandbox), mac, ips));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("InterfaceName", Map.of("SrcName", BridgeDriver.peerName(network.name(), endpointId, IFNAME),
                "DstPrefix", IFNAME));
        if (!gw4.isEmpty()) {
            out.put("Gateway", gw4);
        }
        if (!gw6.isEmpty()) {
            out.put("GatewayIPv6", gw6);
        }
        out.put("StaticRoutes", List.of());
        out.put("DisableGatewayService", false);
        return out;
    }

    Map<String, Object> leave(Body b) throws DockerException, IOException {
        String endpointId = endpointId(b);
        published.unproxy(endpointId);
        Optional<NetworkCatalog.Network> network = networks.find(name(b.required("NetworkID")));
        if (network.isPresent()) {
            run(() -> bridge.detach(request(CniCommand.DEL, network.get(), endpointId, "")));
        }
        return Map.of();
    }

    /**
     * {@code -p}: what nf_tables can do becomes the attachment's map elements; an IPv6 host address for an endpoint
     * without IPv6 becomes a listener of the userland proxy. Both are recorded, and a refusal undoes both.
     */
    Map<String, Object> programExternalConnectivity(Body b) throws DockerException, IOException {
        Map<String, Object> e = endpoint(b);
        NetworkCatalog.Network network = network(b.required("NetworkID"));
        String endpointId = (String) e.get("endpointId");
        List<Body> bindings = b.object("Options").objects(PORTMAP);
        if (bindings.isEmpty() && !PublishedPorts.publishes(e)) {
            return Map.of();   // nothing to publish, nothing published: no firewall transaction
        }
        boolean hasV6 = !((String) e.get("addressIPv6")).isEmpty();
        List<PortMapping> kernel = new ArrayList<>();
        List<UserlandProxy.Binding> proxied = new ArrayList<>();
        for (PortMapping p : PublishedPorts.ports(bindings)) {
            if (p.hostIp() instanceof Inet6Address && !hasV6) {
                proxied.add(PublishedPorts.proxyBinding(p, e));
            } else {
                kernel.add(p.hostIp() != null && p.hostIp().isAnyLocalAddress()
                        ? new PortMapping(p.protocol(), p.hostPort(), p.containerPort(), null) : p);
            }
        }
        List<UserlandProxy.Binding> before = PublishedPorts.proxied(e);
        List<UserlandProxy.Binding> started = new ArrayList<>();
        try {
            for (UserlandProxy.Binding pb : proxied) {
                if (!before.contains(pb)) {
                    proxy.start(pb);
                    started.add(pb);
                }
            }
            run(() -> bridge.publish(request(CniCommand.ADD, network, endpointId, ""), kernel));
        } catch (DockerException | IOException ex) {
            started.forEach(proxy::stop);
            throw ex;
        }
        for (UserlandProxy.Binding old : before) {
            if (!proxied.contains(old)) {
                proxy.stop(old);
            }
        }
        List<Object> portmap = new ArrayList<>();
        for (Body binding : bindings) {
            portmap.add(binding.fields());
        }
        e.put("portmap", portmap);
        e.put("proxied", proxied.stream().map(PublishedPorts::toJson).toList());
        store.endpoints.put(endpointId, e);
        return Map.of();
    }

    Map<String, Object> revokeExternalConnectivity(Body b) throws DockerException, IOException {
        String endpointId = endpointId(b);
        Optional<NetworkCatalog.Network> network = networks.find(name(b.required("NetworkID")));
        Optional<Map<String, Object>> e = store.endpoints.get(endpointId);
        if (network.isPresent() && e.isPresent() && PublishedPorts.publishes(e.get())) {
            boolean attached = bridge.endpoints(network.get().name()).stream()
                    .anyMatch(a -> a.containerId().equals(endpointId));
            if (attached) {
                run(() -> bridge.publish(request(CniCommand.ADD, network.get(), endpointId, ""), List.of()));
            }
            e.get().put("portmap", List.of());
            store.endpoints.put(endpointId, e.get());
        }
        published.unproxy(endpointId);
        return Map.of();
    }

    private static InetAddress gateway(NetworkCatalog.Network network, IpPrefix ip) {
        for (NetworkCatalog.Subnet s : network.subnets()) {
            if (s.subnet().isIpv4() == ip.isIpv4() && s.subnet().contains(ip.address())) {
                return s.gateway();
            }
        }
        return null;
    }

    private NetworkCatalog.Network network(String networkId) throws DockerException, IOException {
        return networks.find(name(networkId)).filter(n -> n.id().equals(networkId))
                .orElseThrow(() -> DockerException.notFound("network " + networkId + " not found"));
    }

    private Map<String, Object> endpoint(Body b) throws DockerException, IOException {
        String id = endpointId(b);
        return new LinkedHashMap<>(store.endpoints.get(id).orElseThrow(() ->
                DockerException.notFound("endpoint " + id + " not found")));
    }

    private static String endpointId(Body b) throws DockerException {
        String id = b.required("EndpointID");
        if (!id.matches("[0-9a-f]{8,64}")) {
            throw DockerException.badRequest("invalid EndpointID \"" + id + "\"");
        }
        return id;
    }

    /** A CNI request for the bridge driver, with the network's plugin config. */
    private static CniRequest request(CniCommand command, NetworkCatalog.Network network, String endpointId,
                                      String netns) throws DockerException {
        Map<String, Object> conf = new LinkedHashMap<>();
        conf.put("cniVersion", "1.0.0");
        conf.put("name", network.name());
        conf.put("type", "jnet-bridge");
        conf.putAll(network.pluginFields());
        try {
            return new CniRequest(command, endpointId, netns, IFNAME, null, List.of(), NetConf.of(conf));
        } catch (CniException e) {
            throw new DockerException(500, "network " + network.name() + ": " + e.getMessage(), e);
        }
    }

    private interface DriverCall {
        void run() throws CniException, DockerException, IOException;
    }

    /** A refusal of the bridge driver (a used host port, say) reaches the user with its own words. */
    private static void run(DriverCall call) throws DockerException, IOException {
        try {
            call.run();
        } catch (CniException e) {
            throw new DockerException(e.getCause() instanceof io.jnet.bridge.PortInUseException ? 409 : 500,
                    e.getMessage(), e);
        }
    }
}
