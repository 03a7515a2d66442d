package io.jnet.container;

import java.util.List;
import java.util.ArrayList;
import io.jnet.cni.IpPrefix;
import io.jnet.cni.IpConfig;
import io.jnet.kernel.rtnl.Address;
import io.jnet.kernel.inventory.NetnsInventory;
import io.jnet.cni.CniException;
import io.jnet.cni.CniPlugin;
import io.jnet.cni.CniRequest;
import io.jnet.cni.ErrorCode;
import io.jnet.cni.Interface;
import io.jnet.cni.Json;
import io.jnet.cni.Result;
import io.jnet.kernel.netns.NetNs;
import io.jnet.kernel.rtnl.Link;
import io.jnet.kernel.rtnl.Rtnetlink;
import io.jnet.kernel.sys.ErrnoException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Docker's {@code container:<name>} mode, {@code jnet-container}: the container joins the namespace of a container
 * that {@code jnet create} made, named by the config's {@code "container"} (a name, an id or a unique id prefix).
 * ADD creates nothing: it checks that CNI_NETNS is that container's namespace (the same namespace inode as its
 * recorded netns, so a bind mount of it qualifies) and reports the interfaces and addresses in it. An unknown
 * container, or one whose namespace is gone, is code 3; a CNI_NETNS that is another namespace is code 8.
 *
 * <p>The store is {@code <dataDir>/containers} when the config has {@code dataDir}, else under the root given to
 * the constructor ({@code JNET_ROOT} or {@code /var/lib/jnet}).
 */
public final class ContainerPlugin implements CniPlugin {

    private final Path defaultRoot;

    public ContainerPlugin(Path defaultRoot) {
        this.defaultRoot = defaultRoot;
    }

    @Override
    public Result add(CniRequest request) throws CniException {
        ContainerDirectory.Entry leader = leader(request);
        requireSameNetns(request, leader, ErrorCode.INVALID_NETNS);
        try (NetNs netns = NetNs.open(request.netns()); Rtnetlink rtnl = Rtnetlink.openIn(netns)) {
            return report(NetnsInventory.read(rtnl), request.netns());
        } catch (IOException e) {
            throw new CniException(ErrorCode.IO_FAILURE, "list the interfaces of container " + leader.name() + ": "
                    + e.getMessage(), "", e);
        }
    }

    /** Joining created nothing; the namespace belongs to the container that was joined. */
    @Override
    public void del(CniRequest request) {
    }

    /**
     * The container still exists, CNI_NETNS is still its namespace, and every interface of the previous result is
     * still in it (they are the leader's, and vanish when the leader is detached).
     */
    @Override
    public void check(CniRequest request) throws CniException {
        ContainerDirectory.Entry leader = leader(request);
        requireSameNetns(request, leader, ErrorCode.CHECK_FAILED);
        Result prev = request.config().prevResult();
        if (prev == null) {
            return;
        }
        try (NetNs netns = NetNs.open(request.netns()); Rtnetlink rtnl = Rtnetlink.openIn(netns)) {
            for (Interface iface : prev.interfaces()) {
                Optional<Link> link = rtnl.link(iface.name());
                if (link.isEmpty()) {
                    throw new CniException(ErrorCode.CHECK_FAILED, "interface " + iface.name()
                            + " of the previous result is gone from the namespace of container " + leader.name());
                }
            }
        } catch (IOException e) {
            throw new CniException(ErrorCode.IO_FAILURE, "check the interfaces of container " + leader.name() + ": "
                    + e.getMessage(), "", e);
        }
    }

    /**
     * CNI_NETNS may be the plugin's own namespace when the joined container is in host mode; it is checked against
     * that container's namespace instead, which is the stricter test.
     */
    @Override
    public boolean acceptsOwnNetns() {
        return true;
    }

    private ContainerDirectory.Entry leader(CniRequest request) throws CniException {
        String ref = Json.requireString(request.config().raw(), "", "container");
        String dataDir = Json.optString(request.config().raw(), "", "dataDir", "");
        ContainerDirectory store = ContainerDirectory.at(dataDir.isEmpty() ? defaultRoot : Path.of(dataDir));
        Optional<ContainerDirectory.Entry> found;
        try {
            found = store.find(ref);
        } catch (AmbiguousIdException e) {
            throw new CniException(ErrorCode.UNKNOWN_CONTAINER, e.getMessage(), "store " + store.dir(), e);
        } catch (IOException e) {
            throw new CniException(ErrorCode.IO_FAILURE, "look up container " + ref + ": " + e.getMessage(), "", e);
        }
        return found.orElseThrow(() -> new CniException(ErrorCode.UNKNOWN_CONTAINER, "no such container: " + ref,
                "store " + store.dir()));
    }

    private static void requireSameNetns(CniRequest request, ContainerDirectory.Entry leader, ErrorCode mismatch)
            throws CniException {
        long theirs;
        try (NetNs netns = NetNs.open(leader.netns())) {
            theirs = netns.inode();
        } catch (IOException e) {
            throw new CniException(ErrorCode.UNKNOWN_CONTAINER, "container " + leader.name()
                    + " has no network namespace: " + e.getMessage(), "", e);
        }
        long given;
        try (NetNs netns = NetNs.open(request.netns())) {
            given = netns.inode();
        } catch (IOException e) {
            throw new CniException(e instanceof ErrnoException x && x.isOutOfResources() ? ErrorCode.IO_FAILURE
                    : ErrorCode.INVALID_NETNS, "failed to open CNI_NETNS " + request.netns(),
                    e.getMessage(), e);
        }
        if (given != theirs) {
            throw new CniException(mismatch, "netns " + request.netns() + " is not the network namespace of container "
                    + leader.name() + " (" + leader.netns() + ")", "netns inode " + given + ", container's " + theirs);
        }
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
