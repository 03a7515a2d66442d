package io.jnet.ipam;

import io.jnet.kernel.fs.StateRoot;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The address allocator that the drivers, the CLI and the {@code jnet-ipam} plugin share, over a crash-safe store
 * under {@code <root>/ipam/<network>/} (see {@link LeaseDirectory} for the layout). Every operation locks the
 * network's directory for its whole duration, so concurrent processes and threads serialise per network.
 *
 * <p>Allocate and release cost a fixed number of lookups by name, whatever the number of leases. An ADD of an
 * attachment that already holds a lease returns that lease; a release of nothing succeeds. Nothing is written for
 * invalid input: names, config and requested addresses are checked before the store is touched.
 */
public final class Ipam {


    private final Path root;
    private final Durability durability;

    private Ipam(Path root, Durability durability) {
        this.root = root;
        this.durability = durability;
    }

    /** A durable store under {@code root} (created on the first allocation, mode 0700). */
    public static Ipam open(Path root) throws IpamException {
        return open(root, Durability.FSYNC);
    }

    /** A store under {@code root}; fails with INVALID_CONFIG when {@code root} exists and is not a directory. */
    public static Ipam open(Path root, Durability durability) throws IpamException {
        if (Files.exists(root) && !Files.isDirectory(root)) {
            throw new IpamException(IpamException.Reason.INVALID_CONFIG,
                    "data directory " + root + " exists and is not a directory");
        }
        return new Ipam(root, durability);
    }

    /** The store's root for a config: its {@code dataDir}, else {@code $JNET_ROOT}, else {@link StateRoot#DEFAULT}. */
    public static Path root(IpamConfig config, Map<String, String> env) {
        return root(config.dataDir(), env);
    }

    static Path root(Optional<Path> dataDir, Map<String, String> env) {
        if (dataDir.isPresent()) {
            return dataDir.get();
        }
        return StateRoot.of(env);
    }

    public Path root() {
        return root;
    }

    /**
     * Leases one address per range set to (containerId, ifname), or returns the lease it already holds. Requested
     * addresses (from {@code CNI_ARGS IP=}, {@code args.cni.ips}, {@code runtimeConfig.ips}) each fill their range
     * set; the other sets allocate round-robin after their last allocation.
     *
     * @throws IpamException INVALID_ARGUMENT for bad names; INVALID_CONFIG for a requested address outside the
     *                       ranges, a gateway or excluded address, or a held lease that no longer fits;
     *                       ADDRESS_IN_USE when a requested address is held by someone else; EXHAUSTED when a
     *                       range set is full; STORE_FAILURE when the store cannot be used
     */
    public Lease allocate(String network, IpamConfig config, String containerId, String ifname,
                          List<InetAddress> requested) throws IpamException {
        Owner owner = Owner.of(containerId, ifname);
        Path dir = networkDir(network);
        Pool pool = Pool.of(config);
        Ip[] wanted = pool.assign(requested);
        try (LeaseDirectory store = openStore(dir, true)) {
            byte[] record = store.readOwnerRecord(owner);
            if (record != null) {
                Lease held = store.committed(owner, record);
                if (held != null) {
                    if (pool.fits(held, wanted)) {
                        return held;
                    }
                    throw new IpamException(IpamException.Reason.INVALID_CONFIG, owner + " already holds "
                            + held.ips() + " in network " + network + ", which does not fit this config or the "
                            + "requested addresses " + requested.stream().map(Ip::of).toList() + "; DEL it first");
                }
                // what a killed ADD or DEL of this owner left behind
                RangeIndex.released(store, store.remove(owner, LeaseCodec.addressesIn(record)));
            }
            return allocate(store, pool, owner, wanted, network);
        } catch (IOException e) {
            throw storeFailure("allocate an address for " + owner + " in network " + network, e);
        }
    }

    private Lease allocate(LeaseDirectory store, Pool pool, Owner owner, Ip[] wanted, String network)
            throws IOException, IpamException {
        Allocator allocator = new Allocator(pool, store);
        List<RangeIndex> indexes = new ArrayList<>();
        try {
            Ip[] chosen = new Ip[pool.sets.size()];
            for (Pool.SetPlan set : pool.sets) {
                RangeIndex index = RangeIndex.open(store, set, pool);
                indexes.add(index);
                Ip want = wanted[set.index()];
                if (want != null) {
                    if (store.leaseExists(want)) {
                        Owner holder = store.leaseHolder(want);
                        throw new IpamException(IpamException.Reason.ADDRESS_IN_USE, "requested address " + want
                                + " in network " + network + " is held by "
                                + (holder == null ? "an unfinished allocation (GC removes it)" : holder));
                    }
                    chosen[set.index()] = want;
                    continue;
                }
                Ip ip = allocator.nextFree(set, index);
                if (ip == null) {
                    throw new IpamException(IpamException.Reason.EXHAUSTED, "no free address in range set "
                            + set.source() + " of network " + network);
                }
                chosen[set.index()] = ip;
            }
            Lease lease = pool.lease(owner, chosen);
            store.commit(lease);
            for (Pool.SetPlan set : pool.sets) {
                RangeIndex index = indexes.get(set.index());
                index.mark(chosen[set.index()], true);
                if (wanted[set.index()] == null) {
                    index.setCursor(chosen[set.index()]);
                }
            }
            return lease;
        } finally {
            for (RangeIndex index : indexes) {
                index.close();
            }
        }
    }

    /**
     * Releases what (containerId, ifname) holds in {@code network}, including what a killed ADD or DEL left of it.
     * Returns false when there was nothing to release, which is success too.
     */
    public boolean release(String network, String containerId, String ifname) throws IpamException {
        Owner owner = Owner.of(containerId, ifname);
        Path dir = networkDir(network);
        try (LeaseDirectory store = openStore(dir, false)) {
            if (store == null) {
                return false;
            }
            byte[] record = store.readOwnerRecord(owner);
            if (record == null) {
                return false;
            }
            List<Ip> freed = store.remove(owner, LeaseCodec.addressesIn(record));
            if (store.list(LeaseDirectory.OWNERS).isEmpty()) {
                // the last lease: the store goes back to what it held before (an index is only a hint, and GC
                // drops it too), so that ADD and DEL leave nothing behind
                dropIndexes(store);
            } else {
                RangeIndex.released(store, freed);
            }
            return true;
        } catch (IOException e) {
            throw storeFailure("release the addresses of " + owner + " in network " + network, e);
        }
    }

    /** The committed lease of (containerId, ifname), if any. */
    public Optional<Lease> lease(String network, String containerId, String ifname) throws IpamException {
        Owner owner = Owner.of(containerId, ifname);
        Path dir = networkDir(network);
        try (LeaseDirectory store = openStore(dir, false)) {
            return store == null ? Optional.empty() : Optional.ofNullable(store.committedLease(owner));
        } catch (IOException e) {
            throw storeFailure("read the lease of " + owner + " in network " + network, e);
        }
    }

    /** Every committed lease of the network (lists the directory: for inspection, not for the ADD path). */
    public List<Lease> leases(String network) throws IpamException {
        Path dir = networkDir(network);
        try (LeaseDirectory store = openStore(dir, false)) {
            List<Lease> out = new ArrayList<>();
            if (store == null) {
                return out;
            }
            for (String name : store.list(LeaseDirectory.OWNERS)) {
                Owner owner = Owner.fromFileName(name);
                Lease lease = owner == null ? null : store.committedLease(owner);
                if (lease != null) {
                    out.add(lease);
                }
            }
            return out;
        } catch (IOException e) {
            throw storeFailure("list the leases of network " + network, e);
        }
    }

    /**
     * Releases every lease whose owner is not in {@code valid}, and cleans what killed processes left: temp files,
     * owner records without all their lease files, and lease files without an owner record. The allocation
     * indexes are dropped too; the next allocation rebuilds them from the lease files.
     */
    public GcResult gc(String network, Collection<Owner> valid) throws IpamException {
        Path dir = networkDir(network);
        Set<Owner> keep = new HashSet<>(valid);
        try (LeaseDirectory store = openStore(dir, false)) {
            if (store == null) {
                return new GcResult(List.of(), 0);
            }
            List<Owner> released = new ArrayList<>();
            int leftovers = 0;
            Map<Ip, Owner> held = new HashMap<>();
            for (String name : store.list(LeaseDirectory.OWNERS)) {
                if (name.startsWith(LeaseDirectory.TEMP_PREFIX)) {
                    leftovers += store.delete(LeaseDirectory.OWNERS, name) ? 1 : 0;
                    continue;
                }
                Owner owner = Owner.fromFileName(name);
                byte[] record = owner == null ? null : store.readOwnerRecord(owner);
                if (record == null) {
                    continue;     // not ours, or gone meanwhile
                }
                Lease lease = store.committed(owner, record);
                if (lease != null && keep.contains(owner)) {
                    lease.ips().forEach(ip -> held.put(Ip.of(ip.address()), owner));
                    continue;
                }
                store.remove(owner, LeaseCodec.addressesIn(record));
                if (lease != null) {
                    released.add(owner);
                } else {
                    leftovers++;
                }
            }
            for (String name : store.list(LeaseDirectory.LEASES)) {
                if (name.startsWith(LeaseDirectory.TEMP_PREFIX)) {
                    leftovers += store.delete(LeaseDirectory.LEASES, name) ? 1 : 0;
                    continue;
                }
                Ip ip;
                try {
                    ip = Ip.parse(name);
                } catch (IllegalArgumentException notALease) {
                    continue;
                }
                if (!held.containsKey(ip) && store.delete(LeaseDirectory.LEASES, name)) {
                    leftovers++;
                }
            }
            dropIndexes(store);
            store.syncDirectory(dir.resolve(LeaseDirectory.LEASES));
            store.syncDirectory(dir.resolve(LeaseDirectory.OWNERS));
            return new GcResult(released, leftovers);
        } catch (IOException e) {
            throw storeFailure("garbage-collect network " + network, e);
        }
    }

    /**
     * Removes a network's leases and allocation indexes, under the network's lock, so that an allocation in progress
     * finishes first. The directory and its lock file stay: a process waiting on that lock holds the file it opened,
     * and deleting it would let the next process lock a new file while the waiter still proceeds on the old one.
     * Returns the number of leases removed; a network that has no store is fine.
     */
    public int removeNetwork(String network) throws IpamException {
        Path dir = networkDir(network);
        try (LeaseDirectory store = openStore(dir, false)) {
            if (store == null) {
                return 0;
            }
            int leases = 0;
            for (String sub : List.of(LeaseDirectory.OWNERS, LeaseDirectory.LEASES, LeaseDirectory.INDEX)) {
                for (String name : store.list(sub)) {
                    boolean removed = store.delete(sub, name);
                    leases += removed && sub.equals(LeaseDirectory.OWNERS) && !name.startsWith(LeaseDirectory.TEMP_PREFIX)
                            ? 1 : 0;
                }
                Files.deleteIfExists(dir.resolve(sub));
            }
            store.syncDirectory(dir);
            return leases;
        } catch (IOException e) {
            throw storeFailure("remove the store of network " + network, e);
        }
    }

    private static void dropIndexes(LeaseDirectory store) throws IOException {
        for (String name : store.list(LeaseDirectory.INDEX)) {
            store.delete(LeaseDirectory.INDEX, name);
        }
    }

    /** The range sets of {@code config} that have no free address left in {@code network}; writes nothing. */
    public List<RangeSet> exhausted(String network, IpamConfig config) throws IpamException {
        Path dir = networkDir(network);
        Pool pool = Pool.of(config);
        List<RangeSet> full = new ArrayList<>();
        try (LeaseDirectory store = openStore(dir, false)) {
            if (store == null) {
                return full;     // nothing allocated yet, and the config guarantees room
            }
            Allocator allocator = new Allocator(pool, store);
            for (Pool.SetPlan set : pool.sets) {
                // from the lease files, not the index: building or fixing an index would write (STATUS must not)
                if (!allocator.hasFree(set)) {
                    full.add(set.source());
                }
            }
            return full;
        } catch (IOException e) {
            throw storeFailure("check for free addresses in network " + network, e);
        }
    }

    /** Whether an allocation in {@code network} could succeed: every range set has a free address. */
    public boolean hasFree(String network, IpamConfig config) throws IpamException {
        return exhausted(network, config).isEmpty();
    }

    private Path networkDir(String network) throws IpamException {
        String problem = Names.networkProblem(network);
        if (problem != null) {
            throw new IpamException(IpamException.Reason.INVALID_CONFIG, problem);
        }
        return root.resolve("ipam").resolve(network);
    }

    private LeaseDirectory openStore(Path dir, boolean create) throws IOException, IpamException {
        if (Files.exists(root) && !Files.isDirectory(root)) {
            throw new IpamException(IpamException.Reason.INVALID_CONFIG,
                    "data directory " + root + " exists and is not a directory");
        }
        return LeaseDirectory.open(dir, durability, create);
    }

    private static IpamException storeFailure(String what, IOException e) {
        return new IpamException(IpamException.Reason.STORE_FAILURE, "cannot " + what + ": " + e, e);
    }
}
