package io.jnet.none;

import io.jnet.cni.CniException;
import io.jnet.cni.CniPlugin;
import io.jnet.cni.CniRequest;
import io.jnet.cni.ErrorCode;
import io.jnet.cni.Interface;
import io.jnet.cni.IpConfig;
import io.jnet.cni.IpPrefix;
import io.jnet.cni.Result;
import io.jnet.kernel.netlink.NetlinkSocket;
import io.jnet.kernel.netns.NetNs;
import io.jnet.kernel.rtnl.Address;
import io.jnet.kernel.rtnl.Link;
import io.jnet.kernel.rtnl.Rtnetlink;
import io.jnet.kernel.sys.ErrnoException;

import java.io.IOException;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Docker's {@code none} mode, {@code jnet-none}: the container keeps its own namespace with only the loopback
 * interface, brought up. It behaves like the reference {@code loopback} plugin: it works on {@code lo} and reports
 * {@code lo}, whatever CNI_IFNAME says (runtimes pass {@code eth0} to their loopback-type plugin too), and it never
 * touches another interface, not even in DEL.
 */
public final class NonePlugin implements CniPlugin {

    /** The interface this plugin manages, whatever CNI_IFNAME names. */
    static final String LOOPBACK = "lo";
    private static final String LOOPBACK_MAC = "00:00:00:00:00:00";

    @Override
    public Result add(CniRequest request) throws CniException {
        try (NetNs netns = open(request.netns());
             Rtnetlink rtnl = new Rtnetlink(netns.openSocket(NetlinkSocket.NETLINK_ROUTE))) {
            Link lo = loopback(rtnl, request);
            rtnl.setUp(lo.index(), true);
            // the kernel gives lo its addresses when it comes up; report the first of each family, as loopback does
            return result(rtnl.addresses(lo.index()), request.netns());
        } catch (IOException e) {
            throw failure("bring up lo in " + request.netns(), e);
        }
    }

    /** The result: {@code lo} with the first address of each family. */
    static Result result(List<Address> addresses, String netns) {
        List<IpConfig> ips = new ArrayList<>();
        first(addresses, true).ifPresent(a -> ips.add(ipConfig(a)));
        first(addresses, false).ifPresent(a -> ips.add(ipConfig(a)));
        return new Result(List.of(new Interface(LOOPBACK, LOOPBACK_MAC, 0, netns)), ips, List.of(), null);
    }

    /**
     * Brings {@code lo} down, as the reference plugin does; never another interface. A namespace that is gone, or a
     * path that is no network namespace (so has no lo of ours), leaves nothing to do.
     */
    @Override
    public void del(CniRequest request) throws CniException {
        if (request.netns().isEmpty()) {
            return; // the runtime already removed the namespace, and lo with it
        }
        try (NetNs netns = NetNs.open(request.netns());
             Rtnetlink rtnl = new Rtnetlink(netns.openSocket(NetlinkSocket.NETLINK_ROUTE))) {
            Optional<Link> lo = rtnl.link(LOOPBACK);
            if (lo.isPresent() && isLoopback(lo.get())) {
                rtnl.setUp(lo.get().index(), false);
            }
        } catch (ErrnoException e) {
            if (!e.isNotFound() && !(e instanceof NetNs.NotANetnsException)) {
                throw failure("bring down lo in " + request.netns(), e);
            }
        } catch (IOException e) {
            throw failure("bring down lo in " + request.netns(), e);
        }
    }

    @Override
    public void check(CniRequest request) throws CniException {
        try (NetNs netns = open(request.netns());
             Rtnetlink rtnl = new Rtnetlink(netns.openSocket(NetlinkSocket.NETLINK_ROUTE))) {
            Link lo = loopback(rtnl, request);
            if (!lo.isUp()) {
                throw new CniException(ErrorCode.CHECK_FAILED, "lo is down in " + request.netns());
            }
            List<Address> addresses = rtnl.addresses(lo.index());
            Result prev = request.config().prevResult();
            for (IpConfig ip : prev == null ? List.<IpConfig>of() : prev.ips()) {
                boolean present = addresses.stream().anyMatch(a -> a.address().equals(ip.address().address())
                        && a.prefixLength() == ip.address().prefixLength());
                if (!present) {
                    throw new CniException(ErrorCode.CHECK_FAILED, "lo in " + request.netns()
                            + " lacks address " + ip.address() + " of the previous result");
                }
            }
        } catch (IOException e) {
            throw failure("check lo in " + request.netns(), e);
        }
    }

    private static NetNs open(String path) throws CniException {
        try {
            return NetNs.open(path);
        } catch (ErrnoException e) {
            throw new CniException(e.isOutOfResources() ? ErrorCode.IO_FAILURE : ErrorCode.INVALID_NETNS,
                    "failed to open CNI_NETNS " + path, e.getMessage(), e);
        }
    }

    private static Link loopback(Rtnetlink rtnl, CniRequest request) throws CniException, ErrnoException {
        Optional<Link> lo = rtnl.link(LOOPBACK);
        if (lo.isEmpty() || !isLoopback(lo.get())) {
            throw new CniException(ErrorCode.INVALID_NETNS, "CNI_NETNS " + request.netns()
                    + " has no loopback interface lo");
        }
        return lo.get();
    }

    static boolean isLoopback(Link link) {
        return (link.flags() & Link.IFF_LOOPBACK) != 0;
    }

    private static Optional<Address> first(List<Address> addresses, boolean ipv4) {
        return addresses.stream().filter(a -> (a.address() instanceof Inet4Address) == ipv4).findFirst();
    }

    private static IpConfig ipConfig(Address a) {
        return new IpConfig(new IpPrefix(a.address(), a.prefixLength()), null, 0);
    }

    private static CniException failure(String what, IOException e) {
        return new CniException(ErrorCode.IO_FAILURE, what + ": " + e.getMessage(), "", e);
    }
}
