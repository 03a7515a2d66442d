package io.jnet.cli;

import io.jnet.bridge.OverlayRecord;
import io.jnet.cni.CniException;
import io.jnet.cni.IpPrefix;
import io.jnet.daemon.overlay.DataPlane;
import io.jnet.daemon.overlay.EtcdStore;
import io.jnet.daemon.overlay.OverlayNetwork;
import io.jnet.kernel.netns.NetNs;
import io.jnet.kernel.rtnl.Rtnetlink;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the network commands do for overlay networks: {@code create} writes the network to etcd (the CLI talks to
 * etcd itself, given {@code --etcd} or JNET_ETCD; each host's daemon picks it up through its watch), {@code inspect}
 * reads the hosts' claims and leases from etcd and compares them with this host's kernel, and a container's
 * {@code --network NAME} finds the host's part of the network in the daemon's local record.
 */
final class Overlays {

    private Overlays() {
    }

    /**
     * The host part of overlay network {@code name} as a bridge network (its bridge, the host subnet), when this
     * host's daemon has written a record for it.
     */
    static Optional<NetworkConfig> local(Path root, String name) throws IOException, CliException {
        Optional<OverlayRecord> record;
        try {
            record = OverlayRecord.read(root, name);
        } catch (CniException e) {
            throw new CliException("read the overlay record of " + name + ": " + e.getMessage(), e);
        }
        if (record.isEmpty()) {
            return Optional.empty();
        }
        OverlayRecord r = record.get();
        if (r.hostSubnet() == null) {
            throw new CliException("overlay network " + name + " has no subnet on this host: " + r.error());
        }
        return Optional.of(new NetworkConfig(name, id(name), r.bridge(),
                List.of(new NetworkConfig.SubnetConfig(r.hostSubnet(), r.gateway(), null)), false, true, r.mtu(),
                Map.of(NetworkConfig.OVERLAY_OPTION, "overlay"), Instant.EPOCH));
    }

    /** Every overlay network this host holds a subnet of, by name. */
    static List<NetworkConfig> local(Path root) throws IOException {
        List<NetworkConfig> out = new ArrayList<>();
        for (String name : OverlayRecord.names(root)) {
            try {
                local(root, name).ifPresent(out::add);
            } catch (CliException noSubnet) {
                // a claim that failed: not a network containers can use here
            }
        }
        return out;
    }

    /** Stores a new overlay network in etcd; a VNI of 0 picks the lowest free one from 4096. */
    static OverlayNetwork create(String etcd, String name, IpPrefix subnet, int hostSubnetLength, int vni)
            throws CliException {
        try (EtcdStore store = EtcdStore.connect(etcd, EtcdStore.COMMAND_TIMEOUT)) {
            List<OverlayNetwork> existing = store.networks();
            Set<Integer> used = new HashSet<>();
            for (OverlayNetwork n : existing) {
                used.add(n.vni());
                if (NetworkConfig.overlaps(n.subnet(), subnet) && !n.name().equals(name)) {
                    throw new CliException("subnet " + subnet + " overlaps subnet " + n.subnet() + " of overlay network "
                            + n.name());
                }
            }
            int chosen = vni;
            if (chosen == 0) {
                chosen = OverlayNetwork.FIRST_VNI;
                while (used.contains(chosen)) {
                    chosen++;
                }
            } else if (used.contains(chosen)) {
                throw new CliException("VNI " + chosen + " is used by another overlay network");
            }
            OverlayNetwork network;
            try {
                network = new OverlayNetwork(name, subnet, hostSubnetLength, chosen, Instant.now());
            } catch (IllegalArgumentException e) {
                throw new CliException(e.getMessage(), e);
            }
            if (!store.createNetwork(network)) {
                throw new CliException("network with name " + name + " already exists in etcd " + etcd);
            }
            return network;
        } catch (IOException e) {
            throw new CliException("create overlay network " + name + ": " + e.getMessage(), e);
        }
    }

    /** Deletes the network and its hosts' claims from etcd; the daemons' watches do the rest. */
    static void delete(String etcd, String name) throws CliException {
        try (EtcdStore store = EtcdStore.connect(etcd, EtcdStore.COMMAND_TIMEOUT)) {
            if (!store.deleteNetwork(name)) {
                throw new CliException("network " + name + " not found (in etcd " + etcd + " nor on this host)");
            }
        } catch (IOException e) {
            throw new CliException("remove overlay network " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * The network from etcd, each host's claim with its lease's remaining TTL, and whether this host's kernel holds
     * the entries for it (for the other hosts) or this host's record names it (for this host).
     */
    static Map<String, Object> inspect(String etcd, Path root, NetNs host, String name) throws CliException {
        try (EtcdStore store = EtcdStore.connect(etcd, EtcdStore.COMMAND_TIMEOUT)) {
            OverlayNetwork network = store.network(name).orElseThrow(() -> new CliException("network " + name
                    + " not found (in etcd " + etcd + " nor on this host)"));
            Optional<OverlayRecord> local = OverlayRecord.read(root, name);
            IpPrefix mine = local.map(OverlayRecord::hostSubnet).orElse(null);
            Map<String, Object> m = network.toJson();
            List<Object> hosts = new ArrayList<>();
            for (EtcdStore.Claimed c : store.claims(name)) {
                Map<String, Object> h = new LinkedHashMap<>(c.claim().toJson());
                h.put("vtep", IpPrefix.formatAddress(c.claim().vtep()));
                h.put("leaseTtlSeconds", store.timeToLive(c.lease()));
                boolean self = c.claim().hostSubnet().equals(mine);
                h.put("thisHost", self);
                h.put("kernelMatches", self ? local.get().vtepMac().equals(c.claim().vtepMac().toString())
                        : host.call(() -> {
                            try (Rtnetlink rtnl = Rtnetlink.open()) {
                                return new DataPlane(rtnl).matches(OverlayRecord.vxlanDevice(name), c.claim());
                            }
                        }));
                hosts.add(h);
            }
            m.put("hosts", hosts);
            local.ifPresent(r -> m.put("local", r.toJson()));
            return m;
        } catch (IOException | CniException e) {
            throw new CliException("inspect overlay network " + name + ": " + e.getMessage(), e);
        }
    }

    /** A stable id, so that ls and inspect show the same one on every call. */
    private static String id(String name) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(("overlay:" + name).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
