package io.jnet.ipam;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/** An {@link IpamConfig} compiled for allocation: its range sets as blocks, and the exclusions as intervals. */
final class Pool {

    /** One range set: its blocks in config order, and the key that names its index file. */
    record SetPlan(int index, RangeSet source, List<Block> blocks, String key) {

        /** The block holding {@code ip}, or -1. */
        int blockOf(Ip ip) {
            for (int i = 0; i < blocks.size(); i++) {
                if (blocks.get(i).contains(ip)) {
                    return i;
                }
            }
            return -1;
        }
    }

    final IpamConfig config;
    final List<SetPlan> sets;
    final Exclusions exclusions;

    private Pool(IpamConfig config, List<SetPlan> sets, Exclusions exclusions) {
        this.config = config;
        this.sets = sets;
        this.exclusions = exclusions;
    }

    static Pool of(IpamConfig config) {
        Exclusions exclusions = Exclusions.of(config.exclude());
        List<SetPlan> sets = new ArrayList<>();
        for (int i = 0; i < config.rangeSets().size(); i++) {
            RangeSet set = config.rangeSets().get(i);
            List<Block> blocks = set.ranges().stream().map(Block::of).toList();
            sets.add(new SetPlan(i, set, blocks, RangeIndex.key(blocks, exclusions)));
        }
        return new Pool(config, List.copyOf(sets), exclusions);
    }

    /** Gateways and excluded addresses are never handed out (network and broadcast lie outside every block). */
    boolean reserved(Block block, Ip ip) {
        return ip.equals(block.gateway()) || exclusions.contains(ip);
    }

    /**
     * Places each requested address in its range set: the result has one entry per set, null where the set
     * allocates dynamically. An address outside every range, the gateway, an excluded address, or two addresses in
     * one set is {@link IpamException.Reason#INVALID_CONFIG}.
     */
    Ip[] assign(List<InetAddress> requested) throws IpamException {
        Ip[] wanted = new Ip[sets.size()];
        for (InetAddress address : requested) {
            Ip ip = Ip.of(address);
            SetPlan set = null;
            int block = -1;
            for (SetPlan s : sets) {
                block = s.blockOf(ip);
                if (block >= 0) {
                    set = s;
                    break;
                }
            }
            if (set == null) {
                throw invalid("requested address " + ip + " is not in any range: " + config.rangeSets());
            }
            if (ip.equals(wanted[set.index()])) {
                continue;   // the same address named twice (e.g. in CNI_ARGS and runtimeConfig)
            }
            if (wanted[set.index()] != null) {
                throw invalid("requested addresses " + wanted[set.index()] + " and " + ip
                        + " are both in range set " + set.source() + ", which yields one address");
            }
            Block b = set.blocks().get(block);
            if (ip.equals(b.gateway())) {
                throw invalid("requested address " + ip + " is the gateway of range " + set.source().ranges().get(block));
            }
            if (exclusions.contains(ip)) {
                throw invalid("requested address " + ip + " is excluded by the config");
            }
            wanted[set.index()] = ip;
        }
        return wanted;
    }

    /** Whether a held lease still fits this config (one address in each set, in order) and the request. */
    boolean fits(Lease held, Ip[] wanted) {
        if (held.ips().size() != sets.size()) {
            return false;
        }
        for (int i = 0; i < sets.size(); i++) {
            Ip ip = Ip.of(held.ips().get(i).address());
            if (sets.get(i).blockOf(ip) < 0 || (wanted[i] != null && !wanted[i].equals(ip))) {
                return false;
            }
        }
        return true;
    }

    Lease lease(Owner owner, Ip[] chosen) {
        List<LeasedIp> ips = new ArrayList<>();
        for (int i = 0; i < chosen.length; i++) {
            Block b = sets.get(i).blocks().get(sets.get(i).blockOf(chosen[i]));
            ips.add(new LeasedIp(chosen[i].toInet(), b.prefixLength(), b.gateway().toInet()));
        }
        return new Lease(owner, ips, config.routes(), config.dns());
    }

    private static IpamException invalid(String message) {
        return new IpamException(IpamException.Reason.INVALID_CONFIG, message);
    }
}
