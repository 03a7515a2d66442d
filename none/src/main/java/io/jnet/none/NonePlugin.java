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
 * interface, brought up. It behaves like the reference {@code loopback} plugin.
 */
public final class NonePlugin implements CniPlugin {

    private static final String LOOPBACK_MAC = "00:00:00:00:00:00";

    @Override
    public Result add(CniRequest request) throws CniException {
        try (NetNs netns = open(request.netns());
             Rtnetlink rtnl = new Rtnetlink(netns.openSocket(NetlinkSocket.NETLINK_ROUTE))) {
            Link lo = loopback(rtnl, request);
            rtnl.setUp(lo.index(), true);
            // the kernel gives lo its addresses when it comes up; report the first of each family, as loopback does
            List<Address> addresses = rtnl.addresses(lo.index());
            List<IpConfig> ips = new ArrayList<>();
            first(addresses, true).ifPresent(a -> ips.add(ipConfig(a)));
            first(addresses, false).ifPresent(a -> ips.add(ipConfig(a)));
            Interface iface = new Interface(request.ifName(), LOOPBACK_MAC, 0, request.netns());
            return new Result(List.of(iface), ips, List.of(), null);
        } catch (IOException e) {
            throw failure("bring up " + request.ifName() + " in " + request.netns(), e);
        }
    }

    @Override
    public void del(CniRequest request) throws CniException {
        if (request.netns().isEmpty()) {
            return; // the runtime already removed the namespace, and lo with it
        }
        try (NetNs netns = NetNs.open(request.netns());
             Rtnetlink rtnl = new Rtnetlink(netns.openSocket(NetlinkSocket.NETLINK_ROUTE))) {
            Optional<Link> lo = rtnl.link(request.ifName());
            if (lo.isPresent()) {
                rtnl.setUp(lo.get().index(), false);
            }
        } catch (ErrnoException e) {
            if (!e.isNotFound()) { // a namespace or link that is gone is what DEL wants
                throw failure("bring down " + request.ifName() + " in " + request.netns(), e);
            }
        } catch (IOException e) {
            throw failure("bring down " + request.ifName() + " in " + request.netns(), e);
        }
    }

    @Override
    public void check(CniRequest request) throws CniException {
        try (NetNs netns = open(request.netns());
             Rtnetlink rtnl = new Rtnetlink(netns.openSocket(NetlinkSocket.NETLINK_ROUTE))) {
            Link lo = loopback(rtnl, request);
            if (!lo.isUp()) {
                throw new CniException(ErrorCode.CHECK_FAILED, request.ifName() + " is down in " + request.netns());
            }
            List<Address> addresses = rtnl.addresses(lo.index());
            Result prev = request.config().prevResult();
            for (IpConfig ip : prev == null ? List.<IpConfig>of() : prev.ips()) {
                boolean present = addresses.stream().anyMatch(a -> a.address().equals(ip.address().address())
                        && a.prefixLength() == ip.address().prefixLength());
                if (!present) {
                    throw new CniException(ErrorCode.CHECK_FAILED, request.ifName() + " in " + request.netns()
                            + " lacks address " + ip.address() + " of the previous result");
                }
            }
        } catch (IOException e) {
            throw failure("check " + request.ifName() + " in " + request.netns(), e);
        }
    }

    private static NetNs open(String path) throws CniException {
        try {
            return NetNs.open(path);
        } catch (ErrnoException e) {
            throw new CniException(ErrorCode.INVALID_NETNS, "failed to open netns " + path, e.getMessage(), e);
        }
    }

    private static Link loopback(Rtnetlink rtnl, CniRequest request) throws CniException, ErrnoException {
        Link lo = rtnl.link(request.ifName()).orElseThrow(() -> new CniException(ErrorCode.INVALID_ENVIRONMENT,
                "no interface " + request.ifName() + " in " + request.netns()));
        if ((lo.flags() & Link.IFF_LOOPBACK) == 0) {
            throw new CniException(ErrorCode.INVALID_ENVIRONMENT,
                    request.ifName() + " in " + request.netns() + " is not a loopback interface");
        }
        return lo;
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
