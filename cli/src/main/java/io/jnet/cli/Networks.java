package io.jnet.cli;

import io.jnet.bridge.BridgeDriver;
import io.jnet.bridge.NetworkInUseException;
import io.jnet.cni.IpPrefix;
import io.jnet.kernel.fs.DurableFiles;
import io.jnet.kernel.netns.NetNs;
import io.jnet.kernel.rtnl.Family;
import io.jnet.kernel.rtnl.Route;
import io.jnet.kernel.rtnl.Rtnetlink;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the network commands do, without the command line: bridge networks in the {@link NetworkStore}, their
 * subnets from {@link AddressPools}, and their removal through the bridge driver ({@link BridgeDriver}). Nothing
 * reaches the kernel until a container attaches (the bridge driver makes the bridge and the firewall chains on its
 * first ADD); {@link #remove} takes them away again. {@code host} is the namespace that plays the host: its routes
 * decide which pools are free, and the removal runs in it.
 *
 * <p>Lock order: the container store's lock before the network store's, wherever both are held.
 */
final class Networks {

    /** Docker's name for the default network, whose bridge is {@link #DEFAULT_DEVICE}. */
    static final String DEFAULT = Network.DEFAULT_BRIDGE;
    static final String DEFAULT_DEVICE = "jnet0";
    /** Names that are network modes, not networks. */
    private static final Set<String> RESERVED = Set.of("host", "none", "default");
    private static final String BRIDGE_PREFIX = "jnet-";

    private final NetworkStore store;
    private final ContainerStore containers;
    private final NetNs host;
    private final BridgeDriver driver;

    Networks(NetworkStore store, ContainerStore containers, NetNs host) {
        this.store = store;
        this.containers = containers;
        this.host = host;
        this.driver = new BridgeDriver(store.root());
    }

    /** The bridge driver of the same state root; its kernel calls must run in {@code host}. */
    BridgeDriver driver() {
        return driver;
    }

    Path root() {
        return store.root();
    }

    /** The namespace that plays the host. */
    NetNs host() {
        return host;
    }

    /**
     * What {@code jnet network create} asks for, checked for form already: at most one subnet per family, gateways
     * and ranges inside their subnets. An empty {@code bridge} means the default device name.
     */
    record CreateRequest(String name, List<NetworkConfig.SubnetConfig> subnets, boolean ipv6, boolean internal,
                         boolean icc, int mtu, String bridge, Map<String, String> options) {
        CreateRequest {
            subnets = List.copyOf(subnets);
            options = Map.copyOf(options);
        }

        static CreateRequest defaults(String name) {
            return new CreateRequest(name, List.of(), false, false, true, 0, "", Map.of());
        }
    }

    // ---- lookup

    Optional<NetworkConfig> find(String name) throws CliException {
        try {
            Optional<NetworkConfig> bridge = store.get(name);
            return bridge.isPresent() ? bridge : Overlays.local(root(), name);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new CliException("look up network " + name + ": " + e.getMessage(), e);
        }
    }

    NetworkConfig get(String name) throws CliException {
        return find(name).orElseThrow(() -> new CliException("network " + name + " not found"));
    }

    /** The bridge networks, then the overlay networks this host holds a subnet of. */
    List<NetworkConfig> list() throws CliException {
        try {
            List<NetworkConfig> out = new ArrayList<>(store.list());
            for (NetworkConfig overlay : Overlays.local(root())) {
                if (out.stream().noneMatch(n -> n.name().equals(overlay.name()))) {
                    out.add(overlay);
                }
            }
            return out;
        } catch (IOException e) {
            throw new CliException("list networks: " + e.getMessage(), e);
        }
    }

    // ---- create

    NetworkConfig create(CreateRequest request) throws CliException {
        return create(request, ContainerStore.newId());
    }

    /** {@link #create(CreateRequest)} with the id given: Docker's, for a network Docker makes through jnet. */
    NetworkConfig create(CreateRequest request, String id) throws CliException {
        if (RESERVED.contains(request.name())) {
            throw new CliException("network name " + request.name() + " is reserved: it is a network mode");
        }
        try (DurableFiles.Lock lock = store.lock()) {
            if (store.get(request.name()).isPresent()) {
                throw new CliException("network with name " + request.name() + " already exists");
            }
            return createLocked(request, id);
        } catch (IOException e) {
            throw new CliException("create network " + request.name() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The network a container asks for: the default network {@code bridge} is made on its first use, any other
     * must exist.
     */
    NetworkConfig ensure(String name) throws CliException {
        Optional<NetworkConfig> existing = find(name);
        if (existing.isPresent()) {
            return existing.get();
        }
        if (!name.equals(DEFAULT)) {
            throw new CliException("network " + name + " not found (jnet network create " + name + ")");
        }
        try (DurableFiles.Lock lock = store.lock()) {
            Optional<NetworkConfig> raced = store.get(name);
            return raced.isPresent() ? raced.get() : createLocked(CreateRequest.defaults(name), ContainerStore.newId());
        } catch (IOException e) {
            throw new CliException("create the default network " + name + ": " + e.getMessage(), e);
        }
    }

    private NetworkConfig createLocked(CreateRequest request, String id) throws CliException, IOException {
        List<NetworkConfig> others = store.list();
        List<IpPrefix> taken = new ArrayList<>();
        for (NetworkConfig other : others) {
            for (NetworkConfig.SubnetConfig s : other.subnets()) {
                for (NetworkConfig.SubnetConfig mine : request.subnets()) {
                    if (NetworkConfig.overlaps(mine.subnet(), s.subnet())) {
                        throw new CliException("subnet " + mine.subnet() + " overlaps subnet " + s.subnet()
                                + " of network " + other.name());
                    }
                }
                taken.add(s.subnet());
            }
        }
        boolean hasV4 = request.subnets().stream().anyMatch(NetworkConfig.SubnetConfig::isIpv4);
        boolean hasV6 = request.subnets().stream().anyMatch(s -> !s.isIpv4());
        List<NetworkConfig.SubnetConfig> subnets = new ArrayList<>(request.subnets());
        if (!hasV4 || (request.ipv6() && !hasV6)) {
            taken.addAll(hostRoutes());
        }
        if (!hasV4) {
            IpPrefix subnet = AddressPools.ipv4(request.name().equals(DEFAULT), taken).orElseThrow(() ->
                    new CliException("no free IPv4 subnet in the default address pools (each overlaps a route or "
                            + "another network); give one with --subnet"));
            subnets.add(0, withGateway(subnet));
        }
        if (request.ipv6() && !hasV6) {
            IpPrefix subnet = AddressPools.ipv6(taken).orElseThrow(() ->
                    new CliException("no free IPv6 subnet found in fd00::/8; give one with --subnet"));
            subnets.add(withGateway(subnet));
        }
        String bridge = !request.bridge().isEmpty() ? request.bridge()
                : request.name().equals(DEFAULT) ? DEFAULT_DEVICE : BRIDGE_PREFIX + id.substring(0, 10);
        for (NetworkConfig other : others) {
            if (other.bridge().equals(bridge)) {
                throw new CliException("bridge " + bridge + " is already used by network " + other.name());
            }
        }
        NetworkConfig network = new NetworkConfig(request.name(), id, bridge, subnets, request.internal(),
                request.icc(), request.mtu(), request.options(), Instant.now());
        store.put(network);
        return network;
    }

    /** A subnet with Docker's default gateway: its first address. */
    static NetworkConfig.SubnetConfig withGateway(IpPrefix subnet) {
        InetAddress gateway = NetworkConfig.address(NetworkConfig.first(subnet).add(BigInteger.ONE),
                subnet.isIpv4());
        return new NetworkConfig.SubnetConfig(subnet, gateway, null);
    }

    /** The destinations of the host's routes (not the local table's, not default routes): pools must avoid them. */
    List<IpPrefix> hostRoutes() throws IOException {
        List<IpPrefix> out = new ArrayList<>();
        try (Rtnetlink rtnl = Rtnetlink.openIn(host)) {
            for (Family family : Family.values()) {
                for (Route r : rtnl.routes(family)) {
                    if (r.table() != Route.TABLE_LOCAL && r.prefixLength() > 0) {
                        out.add(new IpPrefix(r.destination(), r.prefixLength()).network());
                    }
                }
            }
        }
        return out;
    }

    // ---- remove

    /**
     * Removes a network that nothing uses: no container of the store, and no attachment a runtime made through its
     * conflist. Its bridge, firewall chains and IPAM store go with it. A network made through Docker is refused:
     * Docker still lists it and leases its addresses, so only Docker removes it ({@link #removeDockers}).
     */
    void remove(String name) throws CliException {
        remove(name, false);
    }

    /** {@link #remove} of a network made through Docker, for Docker's driver. */
    void removeDockers(String name) throws CliException {
        remove(name, true);
    }

    private void remove(String name, boolean byDocker) throws CliException {
        try (ContainerStore.Lock c = containers.lock(); DurableFiles.Lock n = store.lock()) {
            NetworkConfig network = store.get(name).orElseThrow(() -> new CliException("network " + name
                    + " not found"));
            if (DockerNetworks.isDockers(network) != byDocker) {
                throw new CliException("network " + name + (byDocker ? " is not Docker's"
                        : " belongs to Docker: remove it with docker network rm " + network.shortId()));
            }
            refuseUsers(name);
            try {
                host.run(() -> driver.removeNetwork(name, network.bridge()));
            } catch (NetworkInUseException e) {
                List<BridgeDriver.Attachment> attached = e.attachments();
                String example = attached.isEmpty() ? "" : ", e.g. container " + attached.get(0).containerId() + " ("
                        + attached.get(0).netns() + ")";
                throw new CliException("network " + name + " has " + (attached.size() + e.damaged())
                        + " attachment(s) made through its conflist" + example + "; delete them with the runtime, or "
                        + "run jnet gc if their namespaces are gone", e);
            }
            store.remove(name);
        } catch (IOException e) {
            throw new CliException("remove network " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Deletes overlay network {@code name} from etcd, unless a container on this host uses it: every host's daemon
     * then takes down its part (a host whose containers still use it keeps it, and logs why).
     */
    void removeOverlay(String name, String etcd) throws CliException {
        try (ContainerStore.Lock c = containers.lock()) {
            refuseUsers(name);
            List<BridgeDriver.Attachment> attached = find(name).isPresent() ? attachments(name) : List.of();
            if (!attached.isEmpty()) {
                throw new CliException("network " + name + " has " + attached.size() + " attachment(s) on this host, "
                        + "e.g. container " + attached.get(0).containerId() + " (" + attached.get(0).netns()
                        + "); delete them with the runtime first");
            }
            Overlays.delete(etcd, name);
        } catch (IOException e) {
            throw new CliException("remove network " + name + ": " + e.getMessage(), e);
        }
    }

    private void refuseUsers(String name) throws IOException, CliException {
        List<String> users = users(name).stream().map(ContainerRecord::name).toList();
        if (!users.isEmpty()) {
            throw new CliException("network " + name + " has active endpoints: containers "
                    + String.join(", ", users) + "; remove them first (jnet rm " + String.join(" ", users) + ")");
        }
    }

    /** The store's containers attached to a network. */
    List<ContainerRecord> users(String name) throws IOException {
        List<ContainerRecord> out = new ArrayList<>();
        for (ContainerRecord r : containers.list()) {
            if (r.mode() == NetworkMode.BRIDGE && r.network().equals(name)) {
                out.add(r);
            }
        }
        return out;
    }

    List<BridgeDriver.Attachment> attachments(String name) throws CliException {
        try {
            return driver.endpoints(name);
        } catch (IOException e) {
            throw new CliException("list the attachments of network " + name + ": " + e.getMessage(), e);
        }
    }

    // ---- views

    /**
     * The definition, whether its bridge exists now, the store's containers on it (with their addresses) and every
     * attachment the bridge driver recorded (the CLI's and the runtimes').
     */
    Map<String, Object> inspect(NetworkConfig network) throws CliException {
        Map<String, Object> m = network.toJson();
        try {
            m.put("bridgePresent", host.call(() -> {
                try (Rtnetlink rtnl = Rtnetlink.open()) {
                    return rtnl.link(network.bridge()).isPresent();
                }
            }));
            List<Object> list = new ArrayList<>();
            for (ContainerRecord r : users(network.name())) {
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("name", r.name());
                c.put("id", r.id());
                c.put("addresses", Addresses.reachable(r.result()));
                list.add(c);
            }
            m.put("containers", list);
        } catch (IOException e) {
            throw new CliException("inspect network " + network.name() + ": " + e.getMessage(), e);
        }
        List<Object> attached = new ArrayList<>();
        for (BridgeDriver.Attachment a : attachments(network.name())) {
            Map<String, Object> at = new LinkedHashMap<>();
            at.put("containerId", a.containerId());
            at.put("ifname", a.ifName());
            at.put("netns", a.netns());
            at.put("hostVeth", a.hostVeth());
            at.put("ips", a.ips().stream().map(IpPrefix::toString).toList());
            attached.add(at);
        }
        m.put("attachments", attached);
        return m;
    }

    /**
     * The attachments of every network that a runtime made (not the CLI's containers): those whose container id, or
     * whose namespace file's name (Docker's sandbox id), starts with {@code ref}; each with what the kernel says of
     * it now, its firewall elements included.
     */
    List<Map<String, Object>> inspectAttachments(String ref) throws CliException {
        List<Map<String, Object>> out = new ArrayList<>();
        if (ref.length() < 4) {
            return out;
        }
        for (NetworkConfig network : list()) {
            for (BridgeDriver.Attachment a : attachments(network.name())) {
                String sandbox = Path.of(a.netns().isEmpty() ? "/" : a.netns()).getFileName() + "";
                if (!a.containerId().startsWith(ref) && !sandbox.startsWith(ref)) {
                    continue;
                }
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("id", a.containerId());
                m.put("mode", "bridge");
                m.put("network", network.name());
                m.put("networkId", network.id());
                m.put("netns", a.netns());
                m.put("netnsPresent", NetNs.isNamespace(Path.of(a.netns())));
                m.put("ifname", a.ifName());
                m.put("hostVeth", a.hostVeth());
                m.put("ips", a.ips().stream().map(IpPrefix::toString).toList());
                List<Object> elements = new ArrayList<>();
                try {
                    host.call(() -> driver.ownedElements(a)).forEach(e -> elements.add(e.toJson()));
                } catch (IOException e) {
                    throw new CliException("read the firewall elements of " + a.containerId() + ": "
                            + e.getMessage(), e);
                }
                m.put("firewall", elements);
                out.add(m);
            }
        }
        return out;
    }

    /** The CNI version of the conflists we print: 1.0.0 is what every current runtime's libcni reads. */
    static final String CONFLIST_VERSION = "1.0.0";

    /**
     * A conflist for runtimes: jnet-bridge (with jnet-ipam in-process) configured exactly as the CLI runs it, with
     * the capabilities a runtime fills in ({@code portMappings}, {@code ips}, {@code mac}) and the CLI's state root
     * as {@code dataDir}, so that both share leases, records and firewall.
     */
    Map<String, Object> conflist(NetworkConfig network) {
        Map<String, Object> plugin = new LinkedHashMap<>();
        plugin.put("type", "jnet-bridge");
        plugin.putAll(network.pluginFields(root()));
        Map<String, Object> capabilities = new LinkedHashMap<>();
        capabilities.put("portMappings", true);
        capabilities.put("ips", true);
        capabilities.put("mac", true);
        plugin.put("capabilities", capabilities);
        Map<String, Object> conflist = new LinkedHashMap<>();
        conflist.put("cniVersion", CONFLIST_VERSION);
        conflist.put("name", network.name());
        conflist.put("plugins", List.of(plugin));
        return conflist;
    }
}
