package io.jnet.kernel.inventory;

import io.jnet.kernel.nft.Nftables;
import io.jnet.kernel.nft.Table;
import io.jnet.kernel.rtnl.Address;
import io.jnet.kernel.rtnl.Link;
import io.jnet.kernel.rtnl.Rtnetlink;
import io.jnet.kernel.sys.ErrnoException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a network namespace holds, as the kernel reports it: its links in index order and every address, each
 * address with the position of its link in that list. Host and container mode report a namespace they share this
 * way (turned into a CNI result by the plugin), and {@code jnet demo} checks with it that a namespace is unchanged.
 */
public final class NetnsInventory {

    private final List<Link> links;
    private final List<Address> addresses;
    private final List<Integer> positions;

    private NetnsInventory(List<Link> links, List<Address> addresses, List<Integer> positions) {
        this.links = links;
        this.addresses = addresses;
        this.positions = positions;
    }

    /** The links and the addresses of the namespace {@code rtnl} is open in; addresses of no listed link are left out. */
    public static NetnsInventory read(Rtnetlink rtnl) throws ErrnoException {
        List<Link> links = rtnl.links();
        Map<Integer, Integer> position = new HashMap<>();
        for (Link link : links) {
            position.put(link.index(), position.size());
        }
        List<Address> addresses = new ArrayList<>();
        List<Integer> positions = new ArrayList<>();
        for (Address a : rtnl.addresses()) {
            Integer at = position.get(a.index());
            if (at != null) {
                addresses.add(a);
                positions.add(at);
            }
        }
        return new NetnsInventory(List.copyOf(links), List.copyOf(addresses), List.copyOf(positions));
    }

    public List<Link> links() {
        return links;
    }

    public List<Address> addresses() {
        return addresses;
    }

    /** The position in {@link #links()} of the link that {@code addresses().get(i)} is on. */
    public int linkOf(int i) {
        return positions.get(i);
    }

    /** The nf_tables tables of the calling thread's namespace, as nft names them ({@code inet jnet}). */
    public static List<String> tables() throws ErrnoException {
        List<String> out = new ArrayList<>();
        try (Nftables nft = Nftables.open()) {
            for (Table t : nft.tables()) {
                out.add(t.toString());
            }
        }
        return out;
    }
}
