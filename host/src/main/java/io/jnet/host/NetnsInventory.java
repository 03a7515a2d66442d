package io.jnet.host;

import io.jnet.cni.Interface;
import io.jnet.cni.IpConfig;
import io.jnet.cni.IpPrefix;
import io.jnet.cni.Result;
import io.jnet.kernel.rtnl.Address;
import io.jnet.kernel.rtnl.Link;
import io.jnet.kernel.rtnl.Rtnetlink;
import io.jnet.kernel.sys.ErrnoException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A CNI result that describes a namespace the container shares instead of owns: every interface and address in
 * it, as the kernel reports them. Host mode reports the host's namespace this way, and container mode the
 * namespace of the container it joins.
 */
public final class NetnsInventory {

    private NetnsInventory() {
    }

    /**
     * The interfaces in index order (each with {@code sandbox}), and every IPv4 and IPv6 address with the index of
     * its interface in that list. No routes and no gateways: the container did not get them from us.
     */
    public static Result report(Rtnetlink rtnl, String sandbox) throws ErrnoException {
        List<Link> links = rtnl.links();
        List<Interface> interfaces = new ArrayList<>(links.size());
        Map<Integer, Integer> position = new HashMap<>();
        for (Link link : links) {
            position.put(link.index(), interfaces.size());
            interfaces.add(new Interface(link.name(), link.mac(), link.mtu(), sandbox));
        }
        List<IpConfig> ips = new ArrayList<>();
        for (Address a : rtnl.addresses()) {
            Integer at = position.get(a.index());
            if (at != null) {
                ips.add(new IpConfig(new IpPrefix(a.address(), a.prefixLength()), null, at));
            }
        }
        return new Result(interfaces, ips, List.of(), null);
    }
}
