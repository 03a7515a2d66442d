package io.jnet.daemon.overlay;

import io.jnet.bridge.OverlayRecord;
import io.jnet.kernel.rtnl.Address;
import io.jnet.kernel.rtnl.FdbEntry;
import io.jnet.kernel.rtnl.Family;
import io.jnet.kernel.rtnl.Link;
import io.jnet.kernel.rtnl.LinkSpec;
import io.jnet.kernel.rtnl.MacAddress;
import io.jnet.kernel.rtnl.Neighbour;
import io.jnet.kernel.rtnl.Route;
import io.jnet.kernel.rtnl.Rtnetlink;
import io.jnet.kernel.rtnl.VxlanInfo;
import io.jnet.kernel.sys.ErrnoException;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The kernel side of one overlay network on this host, flannel's vxlan model: a VXLAN device (learning off, no
 * remote, so nothing floods) holding this host's VTEP address, and per peer a route to its host subnet via its VTEP
 * address (onlink), a permanent neighbour entry (VTEP address to VTEP MAC) and an FDB entry (VTEP MAC to underlay
 * address). {@link #converge} makes the kernel hold exactly the given peers' entries.
 */
public final class DataPlane {

    /** VXLAN over IPv4 adds 50 bytes (outer IP, UDP, VXLAN and inner Ethernet headers). */
    static final int VXLAN_OVERHEAD = 50;

    private final Rtnetlink rtnl;

    public DataPlane(Rtnetlink rtnl) {
        this.rtnl = rtnl;
    }

    /**
     * Makes the VXLAN device of {@code record}'s network as it should be, re-creating one whose VNI, local address
     * or underlay link differs. Returns its index.
     */
    public int ensureDevice(OverlayRecord record, Underlay underlay) throws ErrnoException {
        String name = record.vxlan();
        VxlanInfo wanted = VxlanInfo.of(record.vni()).withLocal(underlay.address()).withUnderlay(underlay.index());
        MacAddress mac = MacAddress.parse(record.vtepMac());
        Optional<Link> existing = rtnl.link(name);
        if (existing.isPresent() && !existing.get().vxlan().map(v -> v.vni() == wanted.vni()
                && v.local().equals(wanted.local()) && v.underlay() == wanted.underlay() && !v.learning())
                .orElse(false)) {
            rtnl.deleteLink(existing.get().index());
            existing = Optional.empty();
        }
        if (existing.isEmpty()) {
            rtnl.createLink(LinkSpec.vxlan(name, wanted).withMtu(record.mtu()).withMac(mac));
        }
        Link link = rtnl.link(name).orElseThrow(() -> new ErrnoException("VXLAN device " + name, 19));
        if (!mac.equals(link.macAddress().orElse(null))) {
            rtnl.setMac(link.index(), mac);
        }
        InetAddress vtep = record.vtep();
        if (rtnl.addresses(link.index()).stream().noneMatch(a -> a.address().equals(vtep))) {
            rtnl.addAddress(Address.of(link.index(), vtep, 32));
        }
        if (!link.isUp()) {
            rtnl.setUp(link.index(), true);
        }
        return link.index();
    }

    /** Makes the device hold exactly {@code peers}' entries; returns how many entries it added or removed. */
    public int converge(int vxlan, List<HostClaim> peers) throws ErrnoException {
        int changes = 0;
        Set<String> routes = new HashSet<>();
        Set<String> neighbours = new HashSet<>();
        Set<String> fdb = new HashSet<>();
        for (HostClaim p : peers) {
            routes.add(key(route(vxlan, p)));
            neighbours.add(key(neighbour(vxlan, p)));
            fdb.add(key(fdb(vxlan, p)));
        }
        // first take away what no peer claims any more: a route never points at a stale entry
        for (Route r : routes(vxlan)) {
            if (!routes.contains(key(r)) && rtnl.deleteRoute(r)) {
                changes++;
            }
        }
        for (Neighbour n : neighbours(vxlan)) {
            if (!neighbours.contains(key(n)) && rtnl.deleteNeighbour(n)) {
                changes++;
            }
        }
        for (FdbEntry f : fdbEntries(vxlan)) {
            if (!fdb.contains(key(f)) && rtnl.deleteFdb(f)) {
                changes++;
            }
        }
        Set<String> haveRoutes = keys(routes(vxlan).stream().map(DataPlane::key).toList());
        Set<String> haveNeighbours = keys(neighbours(vxlan).stream().map(DataPlane::key).toList());
        Set<String> haveFdb = keys(fdbEntries(vxlan).stream().map(DataPlane::key).toList());
        // as flannel: neighbour and FDB entry before the route that uses them
        for (HostClaim p : peers) {
            if (!haveNeighbours.contains(key(neighbour(vxlan, p)))) {
                rtnl.replaceNeighbour(neighbour(vxlan, p));
                changes++;
            }
            if (!haveFdb.contains(key(fdb(vxlan, p)))) {
                rtnl.replaceFdb(fdb(vxlan, p));
                changes++;
            }
            if (!haveRoutes.contains(key(route(vxlan, p)))) {
                rtnl.replaceRoute(route(vxlan, p));
                changes++;
            }
        }
        return changes;
    }

    /** Whether the kernel holds {@code peer}'s route, neighbour and FDB entry on the device named {@code vxlan}. */
    public boolean matches(String vxlan, HostClaim peer) throws ErrnoException {
        Optional<Link> link = rtnl.link(vxlan);
        if (link.isEmpty()) {
            return false;
        }
        int index = link.get().index();
        return routes(index).stream().map(DataPlane::key).anyMatch(key(route(index, peer))::equals)
                && neighbours(index).stream().map(DataPlane::key).anyMatch(key(neighbour(index, peer))::equals)
                && fdbEntries(index).stream().map(DataPlane::key).anyMatch(key(fdb(index, peer))::equals);
    }

    static Route route(int vxlan, HostClaim p) {
        return Route.via(p.hostSubnet().address(), p.hostSubnet().prefixLength(), p.vtep(), vxlan).withOnlink(true);
    }

    static Neighbour neighbour(int vxlan, HostClaim p) {
        return Neighbour.permanent(vxlan, p.vtep(), p.vtepMac());
    }

    static FdbEntry fdb(int vxlan, HostClaim p) {
        return FdbEntry.vxlanPeer(vxlan, p.vtepMac(), p.underlay());
    }

    private List<Route> routes(int vxlan) throws ErrnoException {
        List<Route> out = new ArrayList<>();
        for (Route r : rtnl.routes(Family.INET)) {
            if (r.oif() == vxlan && r.table() == Route.TABLE_MAIN && r.gateway().isPresent()) {
                out.add(r);
            }
        }
        return out;
    }

    private List<Neighbour> neighbours(int vxlan) throws ErrnoException {
        return rtnl.neighbours(vxlan).stream().filter(Neighbour::isPermanent).toList();
    }

    private List<FdbEntry> fdbEntries(int vxlan) throws ErrnoException {
        return rtnl.fdb(vxlan).stream().filter(f -> f.destination().isPresent()).toList();
    }

    private static String key(Route r) {
        return r.destination().getHostAddress() + "/" + r.prefixLength() + " via " + r.gateway().orElseThrow()
                .getHostAddress();
    }

    private static String key(Neighbour n) {
        return n.address().getHostAddress() + " " + n.mac().map(MacAddress::toString).orElse("");
    }

    private static String key(FdbEntry f) {
        return f.mac() + " " + f.destination().map(InetAddress::getHostAddress).orElse("");
    }

    private static Set<String> keys(List<String> list) {
        return new HashSet<>(list);
    }
}
