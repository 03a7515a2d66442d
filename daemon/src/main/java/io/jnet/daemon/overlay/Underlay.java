package io.jnet.daemon.overlay;

import io.jnet.cni.IpPrefix;
import io.jnet.kernel.rtnl.Address;
import io.jnet.kernel.rtnl.Family;
import io.jnet.kernel.rtnl.Link;
import io.jnet.kernel.rtnl.Route;
import io.jnet.kernel.rtnl.Rtnetlink;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Optional;

/**
 * The link and IPv4 address that VXLAN packets leave and arrive by: by default the interface of the default route
 * and its first IPv4 address; {@code --underlay} names an address or an interface instead.
 */
public record Underlay(int index, String name, InetAddress address, int mtu) {

    /** Finds the underlay: {@code spec} is "" (the default route's interface), an IPv4 address, or an interface. */
    public static Underlay find(Rtnetlink rtnl, String spec) throws IOException {
        if (spec.isEmpty()) {
            Route def = rtnl.routes(Family.INET).stream()
                    .filter(r -> r.prefixLength() == 0 && r.table() == Route.TABLE_MAIN && r.oif() > 0).findFirst()
                    .orElseThrow(() -> new IOException("no default route to find the underlay by; give --underlay"));
            return of(rtnl, rtnl.link(def.oif()).orElseThrow(() -> new IOException("the default route's link "
                    + def.oif() + " is gone")), null);
        }
        InetAddress wanted = null;
        try {
            wanted = IpPrefix.parseAddress(spec);
        } catch (IllegalArgumentException notAnAddress) {
            Link link = rtnl.link(spec).orElseThrow(() -> new IOException("--underlay " + spec
                    + ": no such interface or address"));
            return of(rtnl, link, null);
        }
        for (Address a : rtnl.addresses()) {
            if (a.address().equals(wanted)) {
                return of(rtnl, rtnl.link(a.index()).orElseThrow(), wanted);
            }
        }
        throw new IOException("--underlay " + spec + ": no interface has this address");
    }

    private static Underlay of(Rtnetlink rtnl, Link link, InetAddress address) throws IOException {
        if (address == null) {
            Optional<Address> first = rtnl.addresses(link.index()).stream()
                    .filter(a -> a.address() instanceof Inet4Address).findFirst();
            address = first.orElseThrow(() -> new IOException("the underlay " + link.name() + " has no IPv4 address"))
                    .address();
        }
        if (!(address instanceof Inet4Address)) {
            throw new IOException("the underlay address must be IPv4: " + address.getHostAddress());
        }
        return new Underlay(link.index(), link.name(), address, link.mtu());
    }

    @Override
    public String toString() {
        return name + " " + address.getHostAddress();
    }
}
