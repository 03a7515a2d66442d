package io.jnet.bridge;

import io.jnet.kernel.fs.StateRoot;
import io.jnet.cni.CniException;
import io.jnet.cni.CniPlugin;
import io.jnet.cni.CniRequest;
import io.jnet.cni.ErrorCode;
import io.jnet.cni.Interface;
import io.jnet.cni.IpConfig;
import io.jnet.cni.IpPrefix;
import io.jnet.cni.Json;
import io.jnet.cni.NetConf;
import io.jnet.cni.Result;
import io.jnet.cni.RouteConfig;
import io.jnet.kernel.fs.DurableFiles;
import io.jnet.kernel.netns.NetNs;
import io.jnet.kernel.rtnl.Address;
import io.jnet.kernel.rtnl.BridgePortFlag;
import io.jnet.kernel.rtnl.Family;
import io.jnet.kernel.rtnl.Link;
import io.jnet.kernel.rtnl.LinkExistsException;
import io.jnet.kernel.rtnl.LinkSpec;
import io.jnet.kernel.rtnl.MacAddress;
import io.jnet.kernel.rtnl.Route;
import io.jnet.kernel.rtnl.Rtnetlink;
import io.jnet.kernel.sys.ErrnoException;
import io.jnet.kernel.sysctl.Sysctl;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code jnet-bridge}: Docker's default network mode. A docker0-style bridge with the gateway address, a veth pair
 * per container whose container end is born in the container's namespace, an address from IPAM, a default route,
 * masquerade and published ports in nf_tables. ADD is transactional; DEL is idempotent and needs only what ADD
 * recorded in the state store.
 */
public final class BridgePlugin implements CniPlugin {

    private static final Set<String> KNOWN_ARGS = Set.of("IP", "MAC");

    private final Path defaultRoot;
    private final HostSockets sockets;
    private final Firewalls firewalls;
    private final Map<String, String> env;
    private final java.io.PrintStream stderr;

    /** How the plugin reaches the firewall of the namespace it runs in; tests may substitute their own. */
    interface Firewalls {
        Firewall open() throws IOException;
    }

    /** {@code env} supplies JNET_ROOT, the state root when the config names no {@code dataDir}. */
    public BridgePlugin(Map<String, String> env) {
        this(env, HostSockets.perCall(), System.err);
    }

    /**
     * A plugin for one call: {@code env} is the call's environment, which a delegated IPAM plugin gets too, and
     * {@code stderr} the call's stderr, where the delegate's logs go; the host's sockets come from {@code sockets}
     * (the daemon's are kept open for its whole life).
     */
    public BridgePlugin(Map<String, String> env, HostSockets sockets, java.io.PrintStream stderr) {
        this(StateRoot.of(env), sockets, () -> NftFirewall.open(sockets), env, stderr);
    }

    BridgePlugin(Path defaultRoot, Firewalls firewalls) {
        this(defaultRoot, HostSockets.perCall(), firewalls, System.getenv(), System.err);
    }

    private BridgePlugin(Path defaultRoot, HostSockets sockets, Firewalls firewalls, Map<String, String> env,
                         java.io.PrintStream stderr) {
        this.defaultRoot = defaultRoot;
        this.sockets = sockets;
        this.firewalls = firewalls;
        this.env = env;
        this.stderr = stderr;
    }

    @Override
    public Set<String> knownArgs() {
        return KNOWN_ARGS;
    }

    // ---- ADD -----------------------------------------------------------------------------------------------------

    @Override
    public Result add(CniRequest given) throws CniException {
        return attach(overlay(given, true), null);
    }

    /**
     * What a runtime that moves the container end itself hands over (Docker's Join): the name of the veth's peer,
     * which stays unconfigured in the calling thread's namespace, its MAC, and the addresses (with gateways) that the
     * runtime's own IPAM calls leased, so this ADD leases none.
     */
    record Handover(String peer, MacAddress mac, List<IpConfig> ips) {
        Handover {
            ips = List.copyOf(ips);
        }
    }

    /** ADD with the container end left in this namespace as {@code handover} names it; DEL undoes it as any ADD. */
    Result addForHandover(CniRequest request, Handover handover) throws CniException {
        return attach(request, handover);
    }

    /** ADD: into the container's namespace, or (with a {@link Handover}) beside the host end. */
    private Result attach(CniRequest request, Handover handover) throws CniException {
        BridgeConf conf = BridgeConf.parse(request.config(), defaultRoot);
        BridgeConf.refuseUnsupported(request.config());
        List<PortMapping> ports = PortMapping.parseAll(request.config().runtimeConfig().get("portMappings"),
                conf.hostBindingIp());
        Optional<MacAddress> mac = handover == null ? requestedMac(request) : Optional.ofNullable(handover.mac());
        EndpointStore store = new EndpointStore(conf.root());
        String hostVeth = hostVethName(conf.network(), request.containerId(), request.ifName());
        String ctrName = handover == null ? request.ifName() : handover.peer();
        CniPlugin ipam = ipam(conf);

        try (NetNs container = handover == null ? openNetns(request.netns()) : null;
             Rtnetlink host = sockets.rtnetlink();
             Rtnetlink inside = container == null ? null : Rtnetlink.openIn(container);
             Undo undo = new Undo()) {
            Rtnetlink ctrSide = inside == null ? host : inside;
            try {
                if (ctrSide.link(ctrName).isPresent()) {
                    throw new CniException(ErrorCode.INVALID_ENVIRONMENT, "CNI_IFNAME: interface " + ctrName
                            + " already exists in netns " + (inside == null ? "of the host" : request.netns()));
                }
                Endpoint previous = store.load(conf.network(), request.containerId(), request.ifName());
                // recorded before anything is made, so that a DEL or GC after a crash knows what to remove
                Endpoint record = new Endpoint(conf.network(), request.containerId(), request.ifName(),
                        request.netns(), conf.bridge(), hostVeth, "", List.of(), ports, null);
                // under the network's lock: whoever decides from the records that the bridge is unused (a failed
                // ADD's undo, removing the network) sees this attachment, or has finished before it starts
                try (DurableFiles.Lock lock = store.lock(conf.network())) {
                    store.save(record);
                }
                undo.push(() -> store.delete(conf.network(), request.containerId(), request.ifName()));

                Result lease = handover == null ? ipam.add(request)
                        : new Result(List.of(), handover.ips(), List.of(), io.jnet.cni.Dns.EMPTY);
                if (previous == null && handover == null) {
                    undo.push(() -> ipam.del(request));
                }
                List<IpConfig> ips = lease.ips();
                if (ips.isEmpty()) {
                    throw new CniException(ErrorCode.INVALID_CONFIG, "IPAM plugin " + conf.ipamType()
                            + " returned no addresses");
                }
                List<IpPrefix> addresses = new ArrayList<>();
                for (IpConfig ip : ips) {
                    addresses.add(ip.address());
                }
                record = record.withIps(addresses);

                Link bridge = ensureBridge(host, conf, ips, undo, request);
                enableForwarding(ips);

                host.createLink(veth(hostVeth, ctrName, conf.mtu(), mac, container));
                undo.push(() -> host.deleteLink(hostVeth));
                Link hostEnd = host.link(hostVeth).orElseThrow(() -> gone(hostVeth));
                host.setMaster(hostEnd.index(), bridge.index());
                if (conf.hairpinMode()) {
                    Map<BridgePortFlag, Boolean> flags = new EnumMap<>(BridgePortFlag.class);
                    flags.put(BridgePortFlag.HAIRPIN, true);
                    host.setBridgePort(hostEnd.index(), flags);
                }
                host.setUp(hostEnd.index(), true);

                Link ctr = ctrSide.link(ctrName).orElseThrow(() -> gone(ctrName));
                List<RouteConfig> routes = inside == null ? defaultRoutes(conf, ips)
                        : configureContainer(inside, ctr, conf, ips, lease.routes());
                // what the firewall elements are made of, recorded before they exist (the lease is IPAM's own record,
                // the veth's name is derived), so that a DEL after a crash removes them
                record = record.withMac(ctr.mac());
                store.save(record);

                try (Firewall firewall = firewalls.open()) {
                    Firewall.Network network = network(conf, addresses);
                    Firewall.Publication publication = publication(record);
                    firewall.attach(network, publication);
                    undo.push(() -> {
                        try (Firewall f = firewalls.open()) {
                            f.detach(network, publication);
                        }
                    });
                } catch (PortInUseException e) {
                    Optional<Endpoint> owner = BridgeDriver.ownerOf(conf.root(), e.target());
                    PortInUseException named = owner.isEmpty() ? e : e.withOwner(BridgeDriver.Attachment.of(owner.get()));
                    throw new CniException(ErrorCode.INVALID_CONFIG, named.getMessage(), "", named);
                }

                Link hostNow = host.link(hostVeth).orElseThrow(() -> gone(hostVeth));
                Link ctrNow = ctrSide.link(ctrName).orElseThrow(() -> gone(ctrName));
                List<Interface> interfaces = List.of(
                        new Interface(bridge.name(), host.link(bridge.index()).map(Link::mac).orElse(""), 0, ""),
                        new Interface(hostVeth, hostNow.mac(), 0, ""),
                        new Interface(ctrName, ctrNow.mac(), 0, request.netns()));
                List<IpConfig> reported = new ArrayList<>();
                for (IpConfig ip : ips) {
                    reported.add(new IpConfig(ip.address(), conf.isGateway() ? gatewayOf(ip) : ip.gateway(), 2));
                }
                Result result = new Result(interfaces, reported, routes, lease.dns());
                store.save(record.withResult(result)
                        .withPolicy(new Endpoint.Policy(conf.ipMasq(), conf.icc(), conf.internal(), conf.overlay())));
                undo.commit();
                return result;
            } catch (CniException e) {
                throw undo.failed(e);
            } catch (IOException | RuntimeException e) {
                throw undo.failed(failure("add " + request.ifName() + " to network " + conf.network(), e));
            }
        } catch (ErrnoException e) {
            throw failure("open the namespaces for " + request.ifName(), e);
        } catch (IOException e) {
            throw failure("add " + request.ifName() + " to network " + conf.network(), e);
        }
    }

    private Link ensureBridge(Rtnetlink host, BridgeConf conf, List<IpConfig> ips, Undo undo, CniRequest request)
            throws IOException, CniException {
        Optional<Link> existing = host.link(conf.bridge());
        if (existing.isEmpty()) {
            LinkSpec.Bridge spec = LinkSpec.bridge(conf.bridge());
            if (conf.mtu() > 0) {
                spec = spec.withMtu(conf.mtu());
            }
            try {
                host.createLink(spec);
                undo.push(() -> deleteBridgeIfUnused(host, conf, request.containerId(), request.ifName()));
            } catch (LinkExistsException raced) {
                // another ADD on this network created it first
            }
            existing = host.link(conf.bridge());
        }
        Link bridge = existing.orElseThrow(() -> gone(conf.bridge()));
        if (!"bridge".equals(bridge.kind())) {
            throw new CniException(ErrorCode.INVALID_CONFIG, conf.bridge() + " exists and is a "
                    + (bridge.kind().isEmpty() ? "device" : bridge.kind()) + ", not a bridge");
        }
        if (conf.isGateway()) {
            List<Address> present = host.addresses(bridge.index());
            for (IpConfig ip : ips) {
                InetAddress gw = gatewayOf(ip);
                if (gw == null) {
                    continue;
                }
                boolean has = false;
                for (Address a : present) {
                    has |= a.address().equals(gw);
                }
                if (!has) {
                    checkNoOtherAddressInSubnet(conf, present, ip);
                    Address address = Address.of(bridge.index(), gw, ip.address().prefixLength());
                    address = gw instanceof Inet4Address ? address.withBroadcast(broadcast(ip.address()))
                            : address.withFlags(Address.IFA_F_NODAD);
                    try {
                        host.addAddress(address);
                    } catch (ErrnoException e) {
                        if (!e.isAlreadyExists()) {
                            throw e;
                        }
                    }
                }
            }
        }
        if (conf.promiscMode()) {
            host.setPromisc(bridge.index(), true);
        }
        allowLoopbackDnat(conf.bridge());
        if (!bridge.isUp()) {
            host.setUp(bridge.index(), true);
        }
        return bridge;
    }

    /** Without forceAddress, a bridge that already has another address in the subnet is a config conflict. */
    private static void checkNoOtherAddressInSubnet(BridgeConf conf, List<Address> present, IpConfig ip)
            throws CniException {
        if (conf.forceAddress()) {
            return;
        }
        IpPrefix subnet = ip.address().network();
        for (Address a : present) {
            if (subnet.contains(a.address()) && a.prefixLength() == subnet.prefixLength()) {
                throw new CniException(ErrorCode.INVALID_CONFIG, conf.bridge() + " already has address "
                        + IpPrefix.formatAddress(a.address()) + "/" + a.prefixLength() + " in " + subnet
                        + "; set forceAddress to add another");
            }
        }
    }

    /**
     * A failed ADD removes the bridge it made, unless another attachment is recorded on the network (an ADD that is
     * about to attach to it, say) or a port is on it; the network's lock makes that decision and the removal one step.
     */
    private static void deleteBridgeIfUnused(Rtnetlink host, BridgeConf conf, String containerId, String ifName)
            throws IOException {
        EndpointStore store = new EndpointStore(conf.root());
        try (DurableFiles.Lock lock = store.lock(conf.network())) {
            EndpointStore.Listing records = store.list(conf.network());
            if (!records.damaged().isEmpty()) {
                return;
            }
            for (Endpoint e : records.records()) {
                if (!e.containerId().equals(containerId) || !e.ifName().equals(ifName)) {
                    return;
                }
            }
            Optional<Link> b = host.link(conf.bridge());
            if (b.isEmpty()) {
                return;
            }
            for (Link l : host.links()) {
                if (l.master() == b.get().index()) {
                    return;
                }
            }
            host.deleteLink(conf.bridge());
        }
    }

    /**
     * Published ports answer on the host's 127.0.0.1 when the DNAT'd packets may leave through the bridge with a
     * loopback source: route_localnet on this bridge only, never on all interfaces. The firewall drops what would
     * abuse it (containers sending to 127.0.0.0/8 through the bridge).
     */
    private static void allowLoopbackDnat(String bridge) throws IOException {
        try (NetNs self = NetNs.current()) {
            String key = Sysctl.key("net", "ipv4", "conf", bridge, "route_localnet");
            if (!"1".equals(Sysctl.read(self, key))) {
                Sysctl.write(self, key, "1");
            }
        }
    }

    private static void enableForwarding(List<IpConfig> ips) throws IOException {
        try (NetNs self = NetNs.current()) {
            boolean v4 = false;
            boolean v6 = false;
            for (IpConfig ip : ips) {
                v4 |= ip.address().isIpv4();
                v6 |= !ip.address().isIpv4();
            }
            if (v4 && !"1".equals(Sysctl.read(self, "net.ipv4.ip_forward"))) {
                Sysctl.write(self, "net.ipv4.ip_forward", "1");
            }
            if (v6 && !"1".equals(Sysctl.read(self, "net.ipv6.conf.all.forwarding"))) {
                Sysctl.write(self, "net.ipv6.conf.all.forwarding", "1");
            }
        }
    }

    private static LinkSpec.Veth veth(String hostVeth, String ifName, int mtu, Optional<MacAddress> mac, NetNs container) {
        LinkSpec.Veth spec = LinkSpec.veth(hostVeth, ifName);
        if (container != null) {
            spec = spec.withPeerNetns(container);
        }
        if (mtu > 0) {
            spec = spec.withMtu(mtu).withPeerMtu(mtu);
        }
        if (mac.isPresent()) {
            spec = spec.withPeerMac(mac.get());
        }
        return spec;
    }

    /** Addresses, link up, the default route via the gateway and IPAM's routes; returns the routes for the result. */
    private static List<RouteConfig> configureContainer(Rtnetlink inside, Link ctr, BridgeConf conf, List<IpConfig> ips,
                                                  List<RouteConfig> ipamRoutes) throws IOException {
        for (IpConfig ip : ips) {
            Address a = Address.of(ctr.index(), ip.address().address(), ip.address().prefixLength());
            inside.addAddress(ip.address().isIpv4() ? a.withBroadcast(broadcast(ip.address()))
                    : a.withFlags(Address.IFA_F_NODAD));
        }
        inside.setUp(ctr.index(), true);
        List<RouteConfig> routes = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (RouteConfig r : defaultRoutes(conf, ips)) {
            seen.add(r.dst().toString());
            inside.addRoute(Route.defaultVia(r.gw(), ctr.index()));
            routes.add(r);
        }
        for (RouteConfig r : ipamRoutes) {
            boolean isDefault = r.dst().prefixLength() == 0;
            if (isDefault && !seen.add(r.dst().network().toString())) {
                continue; // the default route is already via the bridge's gateway
            }
            InetAddress gw = r.gw() != null ? r.gw() : gatewayFor(ips, r.dst().isIpv4());
            Route kr = gw == null
                    ? Route.link(r.dst().network().address(), r.dst().prefixLength(), ctr.index())
                    : new Route(r.dst().network().address(), r.dst().prefixLength(), Optional.of(gw),
                    ctr.index(), Route.TABLE_MAIN, 0, Route.SCOPE_UNIVERSE,
                    Route.PROTO_BOOT, Route.TYPE_UNICAST, 0, 0, 0);
            inside.addRoute(kr);
            routes.add(new RouteConfig(r.dst().network(), gw));
        }
        return routes;
    }

    /** The default route per family via the gateway, when the network is the container's default gateway. */
    private static List<RouteConfig> defaultRoutes(BridgeConf conf, List<IpConfig> ips) {
        List<RouteConfig> routes = new ArrayList<>();
        Set<Boolean> families = new HashSet<>();
        if (conf.isDefaultGateway()) {
            for (IpConfig ip : ips) {
                InetAddress gw = gatewayOf(ip);
                if (gw != null && families.add(ip.address().isIpv4())) {
                    routes.add(new RouteConfig(new IpPrefix(anyOf(ip.address().isIpv4()), 0), gw));
                }
            }
        }
        return routes;
    }

    // ---- published ports of a recorded attachment -----------------------------------------------------------------

    /**
     * Publishes {@code ports} for an attachment that ADD recorded (Docker's ProgramExternalConnectivity), in place of
     * what it published before: recorded first, so that a DEL after a crash removes the elements, and put back when
     * the kernel refuses a port that another attachment publishes.
     */
    void publish(CniRequest request, List<PortMapping> ports) throws CniException {
        BridgeConf conf = BridgeConf.parse(request.config(), defaultRoot);
        EndpointStore store = new EndpointStore(conf.root());
        try {
            Endpoint record = store.load(conf.network(), request.containerId(), request.ifName());
            if (record == null || !record.isComplete()) {
                throw new CniException(ErrorCode.UNKNOWN_CONTAINER, "network " + conf.network()
                        + " has no attachment " + request.containerId() + "/" + request.ifName());
            }
            List<PortMapping> bound = new ArrayList<>();
            for (PortMapping p : ports) {
                bound.add(p.hostIp() != null || conf.hostBindingIp() == null ? p
                        : new PortMapping(p.protocol(), p.hostPort(), p.containerPort(), conf.hostBindingIp()));
            }
            Endpoint published = record.withPorts(bound);
            List<PortMapping> dropped = new ArrayList<>(record.ports());
            dropped.removeAll(bound);
            store.save(published);
            try (Firewall firewall = firewalls.open()) {
                Firewall.Network network = network(conf, record.ips());
                firewall.attach(network, publication(published));
                firewall.detach(network, portsOnly(record, dropped));
            } catch (PortInUseException e) {
                store.save(record);
                Optional<Endpoint> owner = BridgeDriver.ownerOf(conf.root(), e.target());
                PortInUseException named = owner.isEmpty() ? e : e.withOwner(BridgeDriver.Attachment.of(owner.get()));
                throw new CniException(ErrorCode.INVALID_CONFIG, named.getMessage(), "", named);
            }
        } catch (IOException e) {
            throw failure("publish ports of " + request.containerId() + " in network " + conf.network(), e);
        }
    }

    /** Whether ADD left the container end for the runtime to move ({@link #addForHandover}), by its name. */
    static boolean handedOver(Endpoint record) {
        String peer = BridgeDriver.peerName(record.network(), record.containerId(), record.ifName());
        return record.result() != null && record.result().interfaces().stream()
                .anyMatch(i -> i.name().equals(peer) && !i.sandbox().isEmpty());
    }

    /** Puts back an attachment's firewall: the network's table, chains and rules, and its elements. */
    void repairFirewall(CniRequest request) throws CniException {
        BridgeConf conf = BridgeConf.parse(request.config(), defaultRoot);
        try {
            Endpoint record = new EndpointStore(conf.root()).load(conf.network(), request.containerId(),
                    request.ifName());
            if (record == null || !record.isComplete()) {
                throw new CniException(ErrorCode.UNKNOWN_CONTAINER, "network " + conf.network()
                        + " has no attachment " + request.containerId() + "/" + request.ifName());
            }
            try (Firewall firewall = firewalls.open()) {
                firewall.attach(network(conf, record.ips()), publication(record));
            }
        } catch (IOException e) {
            throw failure("repair the firewall of " + request.containerId() + " in network " + conf.network(), e);
        }
    }

    /** The elements of {@code ports} alone: not the attachment's icc element, which its DEL removes. */
    private static Firewall.Publication portsOnly(Endpoint record, List<PortMapping> ports) {
        Firewall.Publication all = publication(record);
        return new Firewall.Publication(all.owner(), all.port(), "", all.addresses(), ports);
    }

    // ---- DEL -----------------------------------------------------------------------------------------------------

    @Override
    public void del(CniRequest given) throws CniException {
        CniRequest request = overlay(given, false);
        BridgeConf conf = BridgeConf.parse(request.config(), defaultRoot);
        EndpointStore store = new EndpointStore(conf.root());
        try {
            Endpoint record = store.load(conf.network(), request.containerId(), request.ifName());
            if (record == null) {
                // nothing recorded: a DEL after a failed or never-run ADD; remove what can be derived anyway
                record = new Endpoint(conf.network(), request.containerId(), request.ifName(), request.netns(),
                        conf.bridge(), hostVethName(conf.network(), request.containerId(), request.ifName()),
                        prevMac(request), prevAddresses(request), PortMapping.parseAll(
                        request.config().runtimeConfig().get("portMappings"), conf.hostBindingIp()), null);
            }
            teardown(conf, record, request);
            store.delete(conf.network(), request.containerId(), request.ifName());
        } catch (IOException e) {
            throw failure("delete " + request.ifName() + " from network " + conf.network(), e);
        }
    }

    /** Removes everything an attachment has; every step runs, and what fails is reported together. */
    private void teardown(BridgeConf conf, Endpoint record, CniRequest request) throws CniException, IOException {
        List<String> errors = new ArrayList<>();
        try (Rtnetlink host = sockets.rtnetlink()) {
            host.deleteLink(record.hostVeth()); // takes the container end with it
        } catch (IOException e) {
            errors.add("delete veth " + record.hostVeth() + ": " + e.getMessage());
        }
        {
            try (Firewall firewall = firewalls.open()) {
                firewall.detach(network(conf, record.ips()), publication(record));
            } catch (IOException e) {
                errors.add("remove firewall elements: " + e.getMessage());
            }
        }
        try {
            ipam(conf).del(request);
        } catch (CniException e) {
            errors.add("release addresses: " + e.getMessage());
        }
        if (!errors.isEmpty()) {
            throw new CniException(ErrorCode.IO_FAILURE, "delete " + record.ifName() + " of " + record.containerId()
                    + " from network " + record.network() + ": " + String.join("; ", errors));
        }
    }

    /** The container interface's MAC from the previous result, or "". */
    private static String prevMac(CniRequest request) {
        Result prev = request.config().prevResult();
        if (prev != null) {
            for (Interface i : prev.interfaces()) {
                if (i.name().equals(request.ifName()) && !i.sandbox().isEmpty()) {
                    return i.mac();
                }
            }
        }
        return "";
    }

    private static List<IpPrefix> prevAddresses(CniRequest request) {
        List<IpPrefix> out = new ArrayList<>();
        if (request.config().prevResult() != null) {
            for (IpConfig ip : request.config().prevResult().ips()) {
                out.add(ip.address());
            }
        }
        return out;
    }

    // ---- CHECK ---------------------------------------------------------------------------------------------------

    @Override
    public void check(CniRequest given) throws CniException {
        CniRequest request = overlay(given, false);
        BridgeConf conf = BridgeConf.parse(request.config(), defaultRoot);
        openNetns(request.netns()).close(); // a path that is no network namespace is code 8, not "no attachment"
        List<String> drift = new ArrayList<>();
        try {
            Endpoint record = new EndpointStore(conf.root()).load(conf.network(), request.containerId(),
                    request.ifName());
            if (record == null || !record.isComplete()) {
                throw new CniException(ErrorCode.CHECK_FAILED, "network " + conf.network() + " has no attachment "
                        + request.containerId() + "/" + request.ifName());
            }
            try (NetNs container = openNetns(request.netns());
                 Rtnetlink host = sockets.rtnetlink();
                 Rtnetlink inside = Rtnetlink.openIn(container)) {
                checkLinks(conf, record, request, host, inside, drift);
            }
            try (Firewall firewall = firewalls.open()) {
                drift.addAll(firewall.check(network(conf, record.ips()), publication(record)));
            }
            try {
                if (!handedOver(record)) {   // a handed-over attachment's addresses were leased by its runtime
                    ipam(conf).check(request);
                }
            } catch (CniException e) {
                drift.add("IPAM lease: " + e.getMessage());
            }
        } catch (IOException e) {
            throw failure("check " + request.ifName() + " in network " + conf.network(), e);
        }
        if (!drift.isEmpty()) {
            throw new CniException(ErrorCode.CHECK_FAILED, "network " + conf.network() + ", " + request.ifName()
                    + " of " + request.containerId() + ": " + String.join("; ", drift));
        }
    }

    private static void checkLinks(BridgeConf conf, Endpoint record, CniRequest request, Rtnetlink host,
                                   Rtnetlink inside, List<String> drift) throws IOException {
        Optional<Link> bridge = host.link(conf.bridge());
        Optional<Link> hostEnd = host.link(record.hostVeth());
        if (bridge.isEmpty()) {
            drift.add("bridge " + conf.bridge() + " is missing");
        } else if (!bridge.get().isUp()) {
            drift.add("bridge " + conf.bridge() + " is down");
        }
        if (hostEnd.isEmpty()) {
            drift.add("host veth " + record.hostVeth() + " is missing");
        } else if (bridge.isPresent() && hostEnd.get().master() != bridge.get().index()) {
            drift.add("host veth " + record.hostVeth() + " is not a port of " + conf.bridge());
        }
        // a handed-over end was renamed by the runtime that moved it: it is the link with the recorded MAC
        Optional<Link> ctr = handedOver(record) ? inside.links().stream().filter(l -> l.mac().equals(record.mac()))
                .findFirst() : inside.link(request.ifName());
        if (ctr.isEmpty()) {
            drift.add("interface " + (handedOver(record) ? "with MAC " + record.mac() : request.ifName())
                    + " is missing in " + request.netns());
            return;
        }
        if (!ctr.get().isUp()) {
            drift.add("interface " + request.ifName() + " is down");
        }
        List<Address> present = inside.addresses(ctr.get().index());
        for (IpPrefix ip : record.ips()) {
            boolean found = false;
            for (Address a : present) {
                found |= a.address().equals(ip.address()) && a.prefixLength() == ip.prefixLength();
            }
            if (!found) {
                drift.add("address " + ip + " is missing on " + request.ifName());
            }
        }
        for (RouteConfig r : record.result().routes()) {
            if (r.dst().prefixLength() != 0) {
                continue;
            }
            boolean found = false;
            for (Route kr : inside.routes(r.dst().isIpv4() ? Family.INET : Family.INET6)) {
                found |= kr.prefixLength() == 0 && kr.gateway().equals(Optional.ofNullable(r.gw()))
                        && kr.table() == Route.TABLE_MAIN;
            }
            if (!found) {
                drift.add("default route via " + (r.gw() == null ? "?" : IpPrefix.formatAddress(r.gw()))
                        + " is missing");
            }
        }
    }

    // ---- GC and STATUS -------------------------------------------------------------------------------------------

    @Override
    public void gc(CniRequest given) throws CniException {
        CniRequest request = overlay(given, false);
        BridgeConf conf = BridgeConf.parse(request.config(), defaultRoot);
        Set<String> valid = new HashSet<>();
        for (io.jnet.cni.Attachment a : request.config().validAttachments()) {
            valid.add(a.containerId() + "@" + a.ifname());
        }
        List<String> errors = new ArrayList<>();
        try {
            EndpointStore store = new EndpointStore(conf.root());
            EndpointStore.Listing listing = store.list(conf.network());
            for (Endpoint record : listing.records()) {
                if (valid.contains(record.containerId() + "@" + record.ifName())) {
                    continue;
                }
                try {
                    CniRequest del = new CniRequest(io.jnet.cni.CniCommand.DEL, record.containerId(), record.netns(),
                            record.ifName(), request.args(), request.path(), request.config());
                    teardown(conf, record, del);
                    store.delete(conf.network(), record.containerId(), record.ifName());
                } catch (CniException | IOException e) {
                    errors.add(e.getMessage()); // GC goes on with the others and reports every failure
                }
            }
            for (EndpointStore.Damaged damaged : listing.damaged()) {
                errors.add(collectDamaged(conf, store, damaged, valid, request));
            }
            store.removeLeftovers(conf.network());
            ipam(conf).gc(request);
        } catch (IOException e) {
            errors.add(e.getMessage());
        }
        if (!errors.isEmpty()) {
            throw new CniException(ErrorCode.IO_FAILURE, "gc of network " + conf.network() + ": "
                    + String.join("; ", errors));
        }
    }

    /**
     * A record that does not parse is reported, never skipped in silence. When its file name says whose it was and
     * that attachment is not valid, what can be derived from the name is torn down: the veth (its name is a hash
     * of the names), the published ports that lead to the addresses IPAM leased it, its lease; then the file goes.
     */
    private String collectDamaged(BridgeConf conf, EndpointStore store, EndpointStore.Damaged damaged,
                                  Set<String> valid, CniRequest request) {
        String what = "damaged attachment record " + damaged.file() + " (" + damaged.reason() + ")";
        if (!damaged.isDerivable()) {
            return what + ": its name does not say whose it was; remove it by hand";
        }
        if (valid.contains(damaged.containerId() + "@" + damaged.ifName())) {
            return what + ": kept, as its attachment is valid";
        }
        List<IpPrefix> leased = new ArrayList<>();
        try {
            if ("jnet-ipam".equals(conf.ipamType())) {
                Optional<io.jnet.ipam.Lease> lease = io.jnet.ipam.Ipam.open(conf.root()).lease(conf.network(),
                        damaged.containerId(), damaged.ifName());
                if (lease.isPresent()) {
                    for (io.jnet.ipam.LeasedIp ip : lease.get().ips()) {
                        leased.add(new IpPrefix(ip.address(), ip.prefixLength()));
                    }
                }
            }
            Endpoint derived = new Endpoint(conf.network(), damaged.containerId(), damaged.ifName(), "",
                    conf.bridge(), hostVethName(conf.network(), damaged.containerId(), damaged.ifName()), "", leased,
                    List.of(), null);
            CniRequest del = new CniRequest(io.jnet.cni.CniCommand.DEL, damaged.containerId(), "", damaged.ifName(),
                    request.args(), request.path(), request.config());
            try (Firewall firewall = firewalls.open()) {
                firewall.detachAddresses(publication(derived));
            }
            teardown(conf, derived, del);
            store.delete(damaged);
            return what + ": removed what its name derives (veth " + derived.hostVeth() + ", the ports published to "
                    + leased + ", the lease) and the record";
        } catch (CniException | IOException | io.jnet.ipam.IpamException e) {
            return what + ": " + e.getMessage();
        }
    }

    @Override
    public void status(CniRequest given) throws CniException {
        if (Json.optBoolean(given.config().raw(), "config", "overlay", false)) {
            overlayLease(given.config());
        }
        CniRequest request = overlay(given, false);
        BridgeConf conf = BridgeConf.parse(request.config(), defaultRoot);
        try (Firewall firewall = firewalls.open()) {
            // reaching nf_tables is what an ADD needs beyond IPAM
        } catch (IOException e) {
            throw new CniException(ErrorCode.NOT_AVAILABLE, "nf_tables is not available: " + e.getMessage());
        }
        ipam(conf).status(request);
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    /** The request with an overlay network's config resolved from the local record ({@link OverlayRecord}). */
    private CniRequest overlay(CniRequest request, boolean needSubnet) throws CniException {
        NetConf resolved = OverlayRecord.resolve(request.config(), defaultRoot, needSubnet);
        return resolved == request.config() ? request : new CniRequest(request.command(), request.containerId(),
                request.netns(), request.ifName(), request.args(), request.path(), resolved);
    }

    /** STATUS of an overlay network: code 50 once this host holds no valid lease on it (or never held one). */
    private void overlayLease(NetConf conf) throws CniException {
        String dataDir = Json.optString(conf.raw(), "config", "dataDir", "");
        Optional<OverlayRecord> record;
        try {
            record = OverlayRecord.read(dataDir.isEmpty() ? defaultRoot : Path.of(dataDir), conf.name());
        } catch (IOException e) {
            throw new CniException(ErrorCode.IO_FAILURE, "read the overlay record of " + conf.name() + ": "
                    + e.getMessage());
        }
        if (record.isEmpty() || !record.get().leaseValid(System.currentTimeMillis())) {
            throw new CniException(ErrorCode.NOT_AVAILABLE, "this host holds no valid lease on overlay network "
                    + conf.name() + record.map(r -> r.error().isEmpty() ? "" : ": " + r.error()).orElse(""));
        }
    }

    private CniPlugin ipam(BridgeConf conf) {
        return "jnet-ipam".equals(conf.ipamType()) ? new io.jnet.ipam.IpamPlugin(StateRoot.env(conf.root()))
                : new ExecPlugin(conf.ipamType(), ExecPlugin.DEFAULT_TIMEOUT, env, stderr);
    }

    static Firewall.Network network(BridgeConf conf, List<IpPrefix> addresses) {
        List<IpPrefix> subnets = new ArrayList<>();
        for (IpPrefix a : addresses) {
            subnets.add(a.network());
        }
        return new Firewall.Network(conf.network(), conf.bridge(), subnets, conf.ipMasq(), conf.icc(), conf.internal(),
                brNetfilter(), conf.overlay());
    }

    /** Whether br_netfilter passes switched IPv4 traffic through the IP hooks in this namespace. */
    static boolean brNetfilter() {
        try {
            return "1".equals(java.nio.file.Files.readString(BR_NF_CALL_IPTABLES).strip());
        } catch (IOException absent) {
            return false; // the kernel has no br_netfilter
        }
    }

    private static final Path BR_NF_CALL_IPTABLES = Path.of("/proc/sys/net/bridge/bridge-nf-call-iptables");

    static Firewall.Publication publication(Endpoint record) {
        List<InetAddress> addresses = new ArrayList<>();
        for (IpPrefix ip : record.ips()) {
            addresses.add(ip.address());
        }
        return new Firewall.Publication(record.containerId() + "/" + record.ifName(), record.hostVeth(), record.mac(),
                addresses, record.ports());
    }

    /**
     * The host end's name: stable for (network, container, ifname), so DEL finds it even without a record. "jv" and
     * 48 bits of the names' 64-bit FNV-1a hash in hex: a name needs no cryptographic digest, and the JCA providers
     * behind one cost a plugin call about 15 ms of start-up.
     */
    static String hostVethName(String network, String containerId, String ifName) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : (network + "\0" + containerId + "\0" + ifName).getBytes(StandardCharsets.UTF_8)) {
            hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
        }
        return "jv" + HexFormat.of().toHexDigits(hash).substring(4);
    }

    private static Optional<MacAddress> requestedMac(CniRequest request) throws CniException {
        Object fromRuntime = request.config().runtimeConfig().get("mac");
        String text = fromRuntime != null ? Json.asString(fromRuntime, "runtimeConfig.mac")
                : request.args().get("MAC").orElse("");
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(MacAddress.parse(text));
        } catch (IllegalArgumentException e) {
            throw new CniException(ErrorCode.INVALID_CONFIG, "invalid MAC address \"" + text + "\": " + e.getMessage());
        }
    }

    private static InetAddress gatewayOf(IpConfig ip) {
        return ip.gateway();
    }

    private static InetAddress gatewayFor(List<IpConfig> ips, boolean ipv4) {
        for (IpConfig ip : ips) {
            if (ip.address().isIpv4() == ipv4 && ip.gateway() != null) {
                return ip.gateway();
            }
        }
        return null;
    }

    private static InetAddress anyOf(boolean ipv4) {
        return IpPrefix.parseAddress(ipv4 ? "0.0.0.0" : "::");
    }

    private static InetAddress broadcast(IpPrefix prefix) {
        byte[] b = prefix.address().getAddress();
        for (int bit = prefix.prefixLength(); bit < 32; bit++) {
            b[bit / 8] |= (byte) (0x80 >>> (bit % 8));
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static NetNs openNetns(String path) throws CniException {
        try {
            return NetNs.open(path);
        } catch (ErrnoException e) {
            throw new CniException(e.isOutOfResources() ? ErrorCode.IO_FAILURE : ErrorCode.INVALID_NETNS,
                    "failed to open CNI_NETNS " + path, e.getMessage(), e);
        }
    }

    private static IOException gone(String name) {
        return new ErrnoException("look up " + name + " right after creating it", io.jnet.kernel.sys.Errno.ENODEV);
    }

    private static CniException failure(String what, Exception e) {
        if (e instanceof CniException c) {
            return c;
        }
        return new CniException(ErrorCode.IO_FAILURE, what + ": " + e.getMessage(), "", e);
    }
}
