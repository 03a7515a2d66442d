package io.jnet.bridge;

import io.jnet.cni.IpPrefix;
import io.jnet.cni.Names;
import io.jnet.kernel.fs.DurableFiles;
import io.jnet.kernel.rtnl.Link;
import io.jnet.kernel.rtnl.Rtnetlink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What the {@code jnet} command needs of the bridge driver beyond CNI: the attachments a network has (made by the
 * command or by a runtime through the network's conflist), and removing a network that has none.
 */
public final class BridgeNetworks {

    private BridgeNetworks() {
    }

    /** One attachment as ADD recorded it; {@code ips} is empty when the ADD stopped before IPAM. */
    public record Attachment(String network, String containerId, String ifName, String netns, String hostVeth,
                             List<IpPrefix> ips) {
        public Attachment {
            ips = List.copyOf(ips);
        }
    }

    /** The attachments recorded for {@code network} in the store under {@code root}. */
    public static List<Attachment> attachments(Path root, String network) throws IOException {
        checkNetwork(network);
        List<Attachment> out = new ArrayList<>();
        for (Endpoint e : new EndpointStore(root).list(network)) {
            out.add(new Attachment(e.network(), e.containerId(), e.ifName(), e.netns(), e.hostVeth(), e.ips()));
        }
        return out;
    }

    /**
     * Removes a network that has no attachments: in the calling thread's network namespace its chains and
     * verdict-map elements in table {@code inet jnet} (one transaction) and its bridge {@code bridge}, then its
     * state under {@code root} ({@code bridge/<network>} and the IPAM store {@code ipam/<network>}). What is
     * already gone is fine, so a removal that was interrupted can be repeated.
     *
     * @throws IOException when the network still has attachments, or the kernel or the file system fails
     */
    public static void remove(Path root, String network, String bridge) throws IOException {
        checkNetwork(network);
        if (!Names.isValidIfName(bridge)) {
            throw new IllegalArgumentException("invalid bridge name \"" + bridge + "\"");
        }
        List<Attachment> left = attachments(root, network);
        if (!left.isEmpty()) {
            throw new IOException("network " + network + " still has " + left.size() + " attachment(s), e.g. "
                    + left.get(0).containerId() + "/" + left.get(0).ifName());
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
        deleteTree(root.resolve("bridge").resolve(network));
        deleteTree(root.resolve("ipam").resolve(network));
    }

    private static void checkNetwork(String network) {
        if (!Names.isValidName(network)) {
            throw new IllegalArgumentException("invalid network name \"" + network + "\"");
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> tree = Files.walk(dir)) {
            for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        DurableFiles.syncDirectory(dir.getParent());
    }
}
