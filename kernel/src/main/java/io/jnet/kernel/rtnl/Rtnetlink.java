package io.jnet.kernel.rtnl;

import io.jnet.kernel.netlink.NetlinkException;
import io.jnet.kernel.netlink.NetlinkSocket;
import io.jnet.kernel.netlink.NlMessage;
import io.jnet.kernel.netlink.NlWriter;
import io.jnet.kernel.netns.NetNs;
import io.jnet.kernel.sys.Errno;
import io.jnet.kernel.sys.ErrnoException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

import static io.jnet.kernel.rtnl.Rtnl.RTM_NEWADDR;
import static io.jnet.kernel.rtnl.Rtnl.RTM_NEWLINK;
import static io.jnet.kernel.rtnl.Rtnl.RTM_NEWNEIGH;
import static io.jnet.kernel.rtnl.Rtnl.RTM_NEWROUTE;

/**
 * rtnetlink on one socket, and so in one network namespace: links, addresses, routes, neighbour and FDB entries.
 * Open it inside a namespace once with {@link #openIn} and use it from any thread (one at a time); no call here
 * switches namespace. Errors are {@link NetlinkException}s whose message names the operation, the object, the
 * namespace, the symbolic errno and the kernel's extended-ACK text. Creating a link that exists throws
 * {@link LinkExistsException}; the delete methods return false when there was nothing to delete, so that DEL paths
 * can treat that as done.
 */
public final class Rtnetlink implements AutoCloseable {

    private final NetlinkSocket socket;
    private final String where;
    private final boolean owner;

    /** rtnetlink on a socket of protocol {@link NetlinkSocket#NETLINK_ROUTE}, which this object then owns. */
    public Rtnetlink(NetlinkSocket socket) {
        this(socket, "");
    }

    private Rtnetlink(NetlinkSocket socket, String where) {
        this(socket, where, true);
    }

    private Rtnetlink(NetlinkSocket socket, String where, boolean owner) {
        if (socket.protocol() != NetlinkSocket.NETLINK_ROUTE) {
            throw new IllegalArgumentException("not a NETLINK_ROUTE socket: protocol " + socket.protocol());
        }
        this.socket = socket;
        this.where = where;
        this.owner = owner;
    }

    /** The same socket, for one user at a time, whose {@link #close} leaves it open for the next. */
    public Rtnetlink borrowed() {
        return new Rtnetlink(socket, where, false);
    }

    /** rtnetlink in the calling thread's namespace. */
    public static Rtnetlink open() throws ErrnoException {
        return new Rtnetlink(NetlinkSocket.open(NetlinkSocket.NETLINK_ROUTE));
    }

    /** rtnetlink in {@code netns}: the socket is opened there (one short-lived thread), the caller never switches. */
    public static Rtnetlink openIn(NetNs netns) throws IOException {
        return new Rtnetlink(netns.openSocket(NetlinkSocket.NETLINK_ROUTE), " in netns " + netns.path());
    }

    // ---- links

    /** The link with this name, or empty when there is none. */
    public Optional<Link> link(String name) throws ErrnoException {
        return getLink(w -> RtnlCodec.getLink(w, name), "get link " + name);
    }

    /** The link with this index, or empty when there is none. */
    public Optional<Link> link(int index) throws ErrnoException {
        return getLink(w -> RtnlCodec.getLink(w, index), "get link " + index);
    }

    private Optional<Link> getLink(Consumer<NlWriter> request, String what) throws ErrnoException {
        NlWriter w = socket.writer();
        request.accept(w);
        try {
            return Optional.of(RtnlCodec.decodeLink(socket.get(w, what + where)));
        } catch (ErrnoException e) {
            if (e.isNotFound()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Every link in the namespace, in index order. */
    public List<Link> links() throws ErrnoException {
        return dump(RtnlCodec::dumpLinks, "list links", RTM_NEWLINK, RtnlCodec::decodeLink, l -> true);
    }

    /**
     * Creates a link. A bridge asks for VLAN filtering explicitly; a kernel built without bridge VLAN filtering
     * refuses even "off" with EOPNOTSUPP, and then the bridge is created without the attribute (it cannot filter).
     *
     * @throws LinkExistsException when a link of that name exists; a VXLAN device whose VNI and port another one
     *                             uses fails with a plain EEXIST that quotes the kernel
     */
    public void createLink(LinkSpec spec) throws ErrnoException {
        String what = describe(spec) + where;
        int peerNsFd = spec instanceof LinkSpec.Veth veth && veth.peerNetns().isPresent()
                ? veth.peerNetns().get().fd().get() : RtnlCodec.NO_FD;
        try {
            create(spec, peerNsFd, true, what);
        } catch (NetlinkException e) {
            if (spec instanceof LinkSpec.Bridge bridge && !bridge.vlanFiltering() && e.errno() == Errno.EOPNOTSUPP) {
                create(spec, peerNsFd, false, what);
                return;
            }
            throw e;
        }
    }

    private void create(LinkSpec spec, int peerNsFd, boolean bridgeData, String what) throws ErrnoException {
        NlWriter w = socket.writer();
        RtnlCodec.newLink(w, spec, peerNsFd, bridgeData);
        try {
            socket.ack(w, what);
        } catch (NetlinkException e) {
            // a VXLAN device's EEXIST can also mean that another device has its VNI and port (the name is free)
            if (e.isAlreadyExists() && !(spec instanceof LinkSpec.Vxlan && link(spec.name()).isEmpty())) {
                throw new LinkExistsException(what, spec.name(), e);
            }
            throw e;
        }
    }

    static String describe(LinkSpec spec) {
        StringBuilder s = new StringBuilder("create ").append(spec.kind()).append(' ').append(spec.name());
        if (spec instanceof LinkSpec.Veth veth) {
            s.append(" (peer ").append(veth.peerName());
            veth.peerNetns().ifPresent(ns -> s.append(" in netns ").append(ns.path()));
            s.append(')');
        } else if (spec instanceof LinkSpec.Vxlan vxlan) {
            s.append(" (vni ").append(vxlan.info().vni()).append(')');
        }
        return s.toString();
    }

    /** Deletes the link with this name; false when there is none. A veth takes its peer with it. */
    public boolean deleteLink(String name) throws ErrnoException {
        NlWriter w = socket.writer();
        RtnlCodec.deleteLink(w, name);
        return ackUnlessMissing(w, "delete link " + name);
    }

    /** Deletes the link with this index; false when there is none. */
    public boolean deleteLink(int index) throws ErrnoException {
        NlWriter w = socket.writer();
        RtnlCodec.deleteLink(w, index);
        return ackUnlessMissing(w, "delete link " + index);
    }

    /** Sets a link administratively up or down. */
    public void setUp(int index, boolean up) throws ErrnoException {
        NlWriter w = socket.writer();
        RtnlCodec.setFlags(w, index, up ? Link.IFF_UP : 0, Link.IFF_UP);
        ack(w, (up ? "set up" : "set down") + " link " + index);
    }

    /** Turns promiscuous mode on or off (the reference bridge plugin's {@code promiscMode}). */
    public void setPromisc(int index, boolean on) throws ErrnoException {
        NlWriter w = socket.writer();
        RtnlCodec.setFlags(w, index, on ? Link.IFF_PROMISC : 0, Link.IFF_PROMISC);
        ack(w, (on ? "set promisc on" : "set promisc off") + " link " + index);
    }

    /** Makes a link a port of the bridge (or other master) {@code masterIndex}. */
    public void setMaster(int index, int masterIndex) throws ErrnoException {
        if (masterIndex <= 0) {
            throw new IllegalArgumentException("master index must be positive (use setNoMaster): " + masterIndex);
        }
        NlWriter w = socket.writer();
        RtnlCodec.setMaster(w, index, masterIndex);
        ack(w, "set master of link " + index + " to link " + masterIndex);
    }

    /** Releases a link from its master. */
    public void setNoMaster(int index) throws ErrnoException {
        NlWriter w = socket.writer();
        RtnlCodec.setMaster(w, index, 0);
        ack(w, "release link " + index + " from its master");
    }

    public void setMtu(int index, int mtu) throws ErrnoException {
        NlWriter w = socket.writer();
        RtnlCodec.setMtu(w, index, mtu);
        ack(w, "set MTU of link " + index + " to " + mtu);
    }

    public void setMac(int index, MacAddress mac) throws ErrnoException {
        NlWriter w = socket.writer();
        RtnlCodec.setMac(w, index, mac);
        ack(w, "set MAC of link " + index + " to " + mac);
    }

    /** Renames a link (the kernel refuses while it is up: EBUSY). */
    public void rename(int index, String newName) throws ErrnoException {
        IfName.check(newName, "link");
        NlWriter w = socket.writer();
        RtnlCodec.rename(w, index, newName);
        try {
            socket.ack(w, "rename link " + index + " to " + newName + where);
        } catch (NetlinkException e) {
            if (e.isAlreadyExists()) {
                throw new LinkExistsException("rename link " + index + " to " + newName + where, newName, e);
            }
            throw e;
        }
    }

    /** Moves a link into another namespace; it keeps its name unless one exists there (EEXIST). */
    public void moveToNetns(int index, NetNs target) throws ErrnoException {
        NlWriter w = socket.writer();
        RtnlCodec.moveToNetns(w, index, target.fd().get());
        ack(w, "move link " + index + " to netns " + target.path());
    }

    /** Turns bridge port flags of a bridge port on or off; flags not in the map are left as they are. */
    public void setBridgePort(int index, Map<BridgePortFlag, Boolean> settings) throws ErrnoException {
        if (settings.isEmpty()) {
            return;
        }
        NlWriter w = socket.writer();
        RtnlCodec.setBridgePort(w, index, settings);
        ack(w, "set bridge port flags " + settings + " of link " + index);
    }

    // ---- addresses

    /** Adds an address; one that is already there fails with EEXIST ({@link ErrnoException#isAlreadyExists}). */
    public void addAddress(Address address) throws ErrnoException {
        NlWriter w = socket.writer();
        RtnlCodec.newAddress(w, address);
        ack(w, "add address " + address.address().getHostAddress() + "/" + address.prefixLength() + " to link "
                + address.index());
    }

    /** Deletes an address; false when the link does not have it (or does not exist). */
    public boolean deleteAddress(Address address) throws ErrnoException {
        NlWriter w = socket.writer();
        RtnlCodec.deleteAddress(w, address);
        return ackUnlessMissing(w, "delete address " + address.address().getHostAddress() + "/"
                + address.prefixLength() + " from link " + address.index());
    }

    /** Every IPv4 and IPv6 address in the namespace. */
    public List<Address> addresses() throws ErrnoException {
        return dump(RtnlCodec::dumpAddresses, "list addresses", RTM_NEWADDR, RtnlCodec::decodeAddress, a -> true);
    }

    /**
     * The addresses of one link. The kernel filters the dump (strict checking), so this costs the same whatever
     * the other links hold (a bridge's gateway among hundreds of veths with link-local addresses); the replies are
     * filtered here too, for kernels that ignore the filter.
     */
    public List<Address> addresses(int index) throws ErrnoException {
        return dump(w -> RtnlCodec.dumpAddresses(w, index), "list addresses of link " + index, RTM_NEWADDR,
                RtnlCodec::decodeAddress, a -> a.index() == index);
    }

    // ---- routes

    /** Adds a route; an identical one fails with EEXIST. */
    public void addRoute(Route route) throws ErrnoException {
        NlWriter w = socket.writer();
        RtnlCodec.newRoute(w, route, false);
        ack(w, "add route " + route);
    }

    /** Adds a route, or replaces the one with the same destination, table and metric. */
    public void replaceRoute(Route route) throws ErrnoException {
        NlWriter w = socket.writer();
        RtnlCodec.newRoute(w, route, true);
        ack(w, "replace route " + route);
    }

    /** Deletes a route; false when there is no such route. */
    public boolean deleteRoute(Route route) throws ErrnoException {
        NlWriter w = socket.writer();
        RtnlCodec.deleteRoute(w, route);
        return ackUnlessMissing(w, "delete route " + route);
    }

    /** Every route of a family in every table (main, local, ...). */
    public List<Route> routes(Family family) throws ErrnoException {
        return dump(w -> RtnlCodec.dumpRoutes(w, family), "list " + family + " routes", RTM_NEWROUTE,
                RtnlCodec::decodeRoute, r -> r.family() == family);
    }

    // ---- neighbours and forwarding database (an overlay's static peers)

    /** Adds a neighbour entry, or replaces the one for its address on its link. */
    public void replaceNeighbour(Neighbour neighbour) throws ErrnoException {
        request(w -> NeighCodec.replaceNeighbour(w, neighbour), "replace neighbour " + neighbour);
    }

    /** Deletes the entry for the neighbour's address on its link; false when there is none. */
    public boolean deleteNeighbour(Neighbour neighbour) throws ErrnoException {
        return requestUnlessMissing(w -> NeighCodec.deleteNeighbour(w, neighbour), "delete neighbour " + neighbour);
    }

    /** The IPv4 and IPv6 neighbour entries of one link (the kernel filters the dump). */
    public List<Neighbour> neighbours(int index) throws ErrnoException {
        return dump(w -> NeighCodec.dumpNeighbours(w, index), "list neighbours of link " + index, RTM_NEWNEIGH,
                NeighCodec::decodeNeighbour, n -> n.index() == index);
    }

    /**
     * Adds an FDB entry. A VXLAN device keeps several destinations only for the all-zero and multicast MACs (it
     * sends a copy to each); for a unicast MAC that has one already, the kernel changes nothing (use
     * {@link #replaceFdb}).
     */
    public void appendFdb(FdbEntry entry) throws ErrnoException {
        request(w -> NeighCodec.appendFdb(w, entry), "append fdb entry " + entry);
    }

    /** Adds an FDB entry, or replaces the destination of its MAC: the idempotent form a converger wants. */
    public void replaceFdb(FdbEntry entry) throws ErrnoException {
        request(w -> NeighCodec.replaceFdb(w, entry), "replace fdb entry " + entry);
    }

    /** Deletes an FDB entry (with a destination, only that destination of its MAC); false when there is none. */
    public boolean deleteFdb(FdbEntry entry) throws ErrnoException {
        return requestUnlessMissing(w -> NeighCodec.deleteFdb(w, entry), "delete fdb entry " + entry);
    }

    /** The FDB entries of one device: its own (NTF_SELF) and, for a bridge port, its bridge's (NTF_MASTER). */
    public List<FdbEntry> fdb(int index) throws ErrnoException {
        return dump(w -> NeighCodec.dumpFdb(w, index), "list fdb of link " + index, RTM_NEWNEIGH,
                NeighCodec::decodeFdb, e -> e.index() == index);
    }

    /** Runs a dump and decodes its replies of {@code type}, leaving out what the decoder (null) or keep rejects. */
    private <T> List<T> dump(Consumer<NlWriter> request, String what, int type, Function<NlMessage, T> decode,
                             Predicate<T> keep) throws ErrnoException {
        List<T> out = new ArrayList<>();
        for (NlMessage m : socket.dump(request, what + where)) {
            T value = m.type() == type ? decode.apply(m) : null;
            if (value != null && keep.test(value)) {
                out.add(value);
            }
        }
        return out;
    }

    /** Sends one acknowledged request built by {@code build}. */
    private void request(Consumer<NlWriter> build, String what) throws ErrnoException {
        NlWriter w = socket.writer();
        build.accept(w);
        ack(w, what);
    }

    private boolean requestUnlessMissing(Consumer<NlWriter> build, String what) throws ErrnoException {
        NlWriter w = socket.writer();
        build.accept(w);
        return ackUnlessMissing(w, what);
    }

    private void ack(NlWriter w, String what) throws ErrnoException {
        socket.ack(w, what + where);
    }

    private boolean ackUnlessMissing(NlWriter w, String what) throws ErrnoException {
        try {
            socket.ack(w, what + where);
            return true;
        } catch (NetlinkException e) {
            if (e.isNotFound()) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public void close() {
        if (owner) {
            socket.close();
        }
    }
}
