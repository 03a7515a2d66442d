package io.jnet.bridge;

import io.jnet.cni.CniException;
import io.jnet.cni.CniRequest;
import io.jnet.cni.IpConfig;
import io.jnet.cni.IpPrefix;
import io.jnet.cni.Names;
import io.jnet.cni.Result;
import io.jnet.ipam.Ipam;
import io.jnet.ipam.IpamException;
import io.jnet.kernel.fs.DurableFiles;
import io.jnet.kernel.rtnl.Link;
import io.jnet.kernel.rtnl.MacAddress;
import io.jnet.kernel.rtnl.Rtnetlink;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The bridge driver's API, the one that every front-end calls: the CNI plugin ({@link BridgePlugin}), the
 * {@code jnet} command, the daemon and the Docker driver. The CNI verbs take a validated {@link CniRequest}; the
 * rest is what those front-ends need beyond CNI: a network's endpoints, who publishes a host port, the firewall
 * elements an attachment owns, removing a network. Failures a caller acts on are typed
 * ({@link PortInUseException}, {@link NetworkInUseException}, an {@link IpamException} with reason
 * {@code ADDRESS_IN_USE} for an address taken), as the cause of the {@link CniException} where a CNI verb reports
 * them; no caller needs to read a message.
 *
 * <p>An instance holds no state but its root, so one can live as long as a daemon and serve threads concurrently.
 * Calls that touch the kernel act in the calling thread's network namespace. File locks (with an in-JVM lock per
 * real path, {@link DurableFiles#lock}) serialise what must not interleave, across threads and processes alike.
 */
public final class BridgeDriver {

    private final Path root;
    private final BridgePlugin plugin;

    /** The driver of the state under {@code root} ({@code dataDir} of a config overrides it per network). */
    public BridgeDriver(Path root) {
        this(root, NftFirewall::open);
    }

    BridgeDriver(Path root, BridgePlugin.Firewalls firewalls) {
        this.root = root.toAbsolutePath();
        this.plugin = new BridgePlugin(this.root, firewalls);
    }

    public Path root() {
        return root;
    }

    /** One attachment as ADD recorded it; {@code ips} is empty when the ADD stopped before IPAM. */
    public record Attachment(String network, String containerId, String ifName, String netns, String hostVeth,
                             List<IpPrefix> ips) {
        public Attachment {
            ips = List.copyOf(ips);
        }

        static Attachment of(Endpoint e) {
            return new Attachment(e.network(), e.containerId(), e.ifName(), e.netns(), e.hostVeth(), e.ips());
        }
    }

    // ---- the CNI verbs -------------------------------------------------------------------------------------------

    /** ADD: a port published by another attachment fails with a {@link PortInUseException} as the cause. */
    public Result attach(CniRequest request) throws CniException {
        return plugin.add(request);
    }

    /** DEL: idempotent, needs only what ADD recorded. */
    public void detach(CniRequest request) throws CniException {
        plugin.del(request);
    }

    /** CHECK: code 100 naming what drifted. */
    public void check(CniRequest request) throws CniException {
        plugin.check(request);
    }

    /** Detaches what is left of an attachment and attaches it again, as {@code request} (an ADD) asks. */
    public Result repair(CniRequest request) throws CniException {
        plugin.del(request);
        return plugin.add(request);
    }

    /** GC: tears down the attachments not in the request's valid list, and reports damaged records. */
    public void gc(CniRequest request) throws CniException {
        plugin.gc(request);
    }

    // ---- for runtimes that move the container end themselves (Docker) ------------------------------------------

    /**
     * ADD as Docker's Join needs it: the veth's peer, {@link #peerName} of the request, stays unconfigured in the
     * calling thread's namespace for the runtime to move and rename; {@code ips} (with their gateways) were leased by
     * the runtime's IPAM calls, so this leases none. The attachment is recorded as any other, so {@link #detach},
     * {@link #gc}, {@link #endpoints} and {@link #ownedElements} cover it.
     */
    public Result attachForHandover(CniRequest request, MacAddress mac, List<IpConfig> ips) throws CniException {
        String peer = peerName(request.config().name(), request.containerId(), request.ifName());
        return plugin.addForHandover(request, new BridgePlugin.Handover(peer, mac, ips));
    }

    /** The name of the peer that {@link #attachForHandover} leaves in the host namespace. */
    public static String peerName(String network, String containerId, String ifName) {
        return "jp" + BridgePlugin.hostVethName(network, containerId, ifName).substring(2);
    }

    /**
     * Publishes {@code ports} for a recorded attachment, in place of what it published: one transaction; a port that
     * another attachment publishes fails with a {@link PortInUseException} as the cause, and changes nothing.
     */
    public void publish(CniRequest request, List<PortMapping> ports) throws CniException {
        plugin.publish(request, ports);
    }

    /**
     * Whether {@link #attachForHandover} made the attachment: its container end was moved and renamed by the
     * runtime, so only that runtime can make it again; {@link #check} finds it by its MAC.
     */
    public boolean isHandedOver(Attachment attachment) throws IOException {
        try {
            Endpoint e = new EndpointStore(root).load(attachment.network(), attachment.containerId(),
                    attachment.ifName());
            return e != null && BridgePlugin.handedOver(e);
        } catch (CniException damaged) {
            return false;
        }
    }

    /** Puts back what the attachment has in the firewall (the network's rules and its elements), in one transaction. */
    public void repairFirewall(CniRequest request) throws CniException {
        plugin.repairFirewall(request);
    }

    // ---- beyond CNI ----------------------------------------------------------------------------------------------

    /** The attachments recorded for {@code network}: the {@code jnet} command's and the runtimes' alike. */
    public List<Attachment> endpoints(String network) throws IOException {
        checkNetwork(network);
        List<Attachment> out = new ArrayList<>();
        for (Endpoint e : new EndpointStore(root).list(network).records()) {
            out.add(Attachment.of(e));
        }
        return out;
    }

    /**
     * The attachment whose published port {@code port} is, read back from the firewall of the calling thread's
     * namespace; empty when no element publishes it or no record has the address it leads to.
     */
    public Optional<Attachment> portOwner(PortMapping port) throws IOException {
        try (NftFirewall firewall = NftFirewall.open()) {
            for (InetAddress target : firewall.targets(port)) {
                Optional<Endpoint> owner = ownerOf(root, target);
                if (owner.isPresent()) {
                    return Optional.of(Attachment.of(owner.get()));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The firewall elements that belong to {@code attachment}, read back from the kernel of the calling thread's
     * namespace: those that lead to its addresses (its published ports) or name its host end (icc=false).
     */
    public List<FirewallElement> ownedElements(Attachment attachment) throws IOException {
        Set<String> mine = new LinkedHashSet<>();
        for (IpPrefix ip : attachment.ips()) {
            mine.add(IpPrefix.formatAddress(ip.address()));
        }
        mine.add(attachment.hostVeth());
        List<FirewallElement> out = new ArrayList<>();
        for (FirewallElement e : FirewallElement.readAll()) {
            if (!e.set().endsWith("_in") && !e.set().endsWith("_out") && e.mentions(mine)) {
                out.add(e);
            }
        }
        return out;
    }

    /** Every element of the driver's sets and maps in the calling thread's namespace. */
    public List<FirewallElement> firewallElements() throws IOException {
        return FirewallElement.readAll();
    }

    /**
     * Removes a network that has no attachments: in the calling thread's namespace its chains and verdict-map
     * elements (one nf_tables transaction) and its bridge, then its records and, through IPAM, its leases. It holds
     * the network's lock throughout, under which every ADD records itself first, so an ADD through the network's
     * conflist either is recorded before (and the removal is refused) or starts after (and makes what it needs
     * again). What is already gone is fine, so an interrupted removal can be repeated.
     *
     * @throws NetworkInUseException when attachments are recorded on it
     */
    public void removeNetwork(String network, String bridge) throws IOException {
        checkNetwork(network);
        if (!Names.isValidIfName(bridge)) {
            throw new IllegalArgumentException("invalid bridge name \"" + bridge + "\"");
        }
        EndpointStore store = new EndpointStore(root);
        try (DurableFiles.Lock lock = store.lock(network)) {
            EndpointStore.Listing left = store.list(network);
            if (!left.isEmpty()) {
                List<Attachment> attachments = new ArrayList<>();
                for (Endpoint e : left.records()) {
                    attachments.add(Attachment.of(e));
                }
                throw new NetworkInUseException(network, attachments, left.damaged().size());
            }
            try (NftFirewall firewall = NftFirewall.open()) {
                firewall.removeNetwork(new Firewall.Network(network, bridge, List.of(), false, true, false, false));
            }
            try (Rtnetlink rtnl = Rtnetlink.open()) {
                Optional<Link> link = rtnl.link(bridge);
                if (link.isPresent() && "bridge".equals(link.get().kind())) {
                    rtnl.deleteLink(link.get().index());
                }
            }
            store.removeNetwork(network);
            try {
                Ipam.open(root).removeNetwork(network);
            } catch (IpamException e) {
                throw new IOException(e.getMessage(), e);
            }
        }
    }

    /**
     * What is left of a network, in the calling thread's namespace and under the root: its bridge, its chains and
     * verdict-map elements, its records and its leases (lock files aside, which are never deleted). Empty after
     * {@link #removeNetwork}; a front-end shows it to prove that.
     */
    public List<String> remains(String network, String bridge) throws IOException {
        checkNetwork(network);
        List<String> out = new ArrayList<>();
        try (Rtnetlink rtnl = Rtnetlink.open()) {
            if (rtnl.link(bridge).isPresent()) {
                out.add("link " + bridge);
            }
        }
        try (NftFirewall firewall = NftFirewall.open()) {
            out.addAll(firewall.remains(new Firewall.Network(network, bridge, List.of(), false, true, false, false)));
        }
        Path records = root.resolve("bridge").resolve(network);
        if (Files.exists(records)) {
            out.add(records.toString());
        }
        Path leases = root.resolve("ipam").resolve(network);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(leases)) {
            for (Path f : files) {
                if (!f.getFileName().toString().equals("lock")) {
                    out.add(f.toString());
                }
            }
        } catch (NoSuchFileException gone) {
            // nothing was ever leased
        }
        return out;
    }

    /** The record, in any network under {@code root}, that holds {@code address}. */
    static Optional<Endpoint> ownerOf(Path root, InetAddress address) throws IOException {
        EndpointStore store = new EndpointStore(root);
        try (DirectoryStream<Path> networks = Files.newDirectoryStream(root.resolve("bridge"), Files::isDirectory)) {
            for (Path dir : networks) {
                for (Endpoint e : store.list(dir.getFileName().toString()).records()) {
                    for (IpPrefix ip : e.ips()) {
                        if (ip.address().equals(address)) {
                            return Optional.of(e);
                        }
                    }
                }
            }
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static void checkNetwork(String network) {
        if (!Names.isValidName(network)) {
            throw new IllegalArgumentException("invalid network name \"" + network + "\"");
        }
    }

}
