package io.jnet.host;

import java.util.ArrayList;
import io.jnet.cni.IpPrefix;
import io.jnet.cni.IpConfig;
import io.jnet.cni.Interface;
import io.jnet.kernel.rtnl.Link;
import io.jnet.kernel.rtnl.Address;
import io.jnet.kernel.inventory.NetnsInventory;
import io.jnet.cni.CniException;
import io.jnet.cni.CniPlugin;
import io.jnet.cni.CniRequest;
import io.jnet.cni.ErrorCode;
import io.jnet.cni.Json;
import io.jnet.cni.Result;
import io.jnet.kernel.netns.NetNs;
import io.jnet.kernel.rtnl.Rtnetlink;
import io.jnet.kernel.sys.ErrnoException;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;

/**
 * Docker's {@code host} mode, {@code jnet-host}: the container uses the host's network namespace. ADD creates
 * nothing; it checks that CNI_NETNS is the namespace this plugin runs in (the host's, compared by inode, so a bind
 * mount of it or {@code /proc/<pid>/ns/net} of a process in it qualifies) and reports the host's interfaces and
 * addresses. Published ports are ignored with a warning, as Docker does. CNI_NETNS that is any other namespace is
 * code 8 (invalid netns): the runtime handed the container a namespace of its own, which host mode cannot honour.
 */
public final class HostPlugin implements CniPlugin {

    private final PrintStream warnings;

    /** @param warnings where the warning about ignored published ports goes (stderr; never stdout) */
    public HostPlugin(PrintStream warnings) {
        this.warnings = warnings;
    }

    @Override
    public Result add(CniRequest request) throws CniException {
        requireHostNetns(request);
        List<Object> ports = portMappings(request);
        if (!ports.isEmpty()) {
            warnings.println("jnet-host: WARNING: published ports are discarded when using host network mode ("
                    + ports.size() + " port mapping" + (ports.size() == 1 ? "" : "s") + " ignored)");
        }
        try (Rtnetlink rtnl = Rtnetlink.open()) {
            return report(NetnsInventory.read(rtnl), request.netns());
        } catch (ErrnoException e) {
            throw new CniException(ErrorCode.IO_FAILURE, "list the host's interfaces: " + e.getMessage(), "", e);
        }
    }

    /** Host mode created nothing, so there is nothing to remove, whatever CNI_NETNS is now. */
    @Override
    public void del(CniRequest request) {
    }

    /** All that ADD relied on: CNI_NETNS is still the host's namespace. */
    @Override
    public void check(CniRequest request) throws CniException {
        requireHostNetns(request);
    }

    @Override
    public boolean acceptsOwnNetns() {
        return true;
    }

    private static void requireHostNetns(CniRequest request) throws CniException {
        long container;
        long host;
        try (NetNs netns = NetNs.open(request.netns())) {
            container = netns.inode();
        } catch (IOException e) {
            throw new CniException(e instanceof ErrnoException x && x.isOutOfResources() ? ErrorCode.IO_FAILURE
                    : ErrorCode.INVALID_NETNS, "failed to open CNI_NETNS " + request.netns(),
                    e.getMessage(), e);
        }
        try (NetNs self = NetNs.current()) {
            host = self.inode();
        } catch (IOException e) {
            throw new CniException(ErrorCode.IO_FAILURE, "read the host's network namespace: " + e.getMessage(), "", e);
        }
        if (container != host) {
            throw new CniException(ErrorCode.INVALID_NETNS, "netns " + request.netns()
                    + " is not the host's network namespace; host mode shares the host's namespace",
                    "netns inode " + container + ", host inode " + host);
        }
    }

    private static List<Object> portMappings(CniRequest request) throws CniException {
        return Json.optArray(request.config().runtimeConfig(), "runtimeConfig", "portMappings");
    }

    /**
     * The shared namespace as a CNI result: its interfaces in index order (each with {@code sandbox}) and every
     * address with the index of its interface in that list; no routes and no gateways, as the container did not
     * get them from us.
     */
    static Result report(NetnsInventory inventory, String sandbox) {
        List<Interface> interfaces = new ArrayList<>(inventory.links().size());
        for (Link link : inventory.links()) {
            interfaces.add(new Interface(link.name(), link.mac(), link.mtu(), sandbox));
        }
        List<IpConfig> ips = new ArrayList<>();
        for (int i = 0; i < inventory.addresses().size(); i++) {
            Address a = inventory.addresses().get(i);
            ips.add(new IpConfig(new IpPrefix(a.address(), a.prefixLength()), null, inventory.linkOf(i)));
        }
        return new Result(interfaces, ips, List.of(), null);
    }
}
