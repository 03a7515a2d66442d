package io.jnet.ipam;

import io.jnet.kernel.fs.DurableFiles;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * One network's directory, opened under its lock. The layout:
 * <pre>
 * &lt;root&gt;/ipam/&lt;network&gt;/lock                     FileChannel.lock() on it serialises processes
 * &lt;root&gt;/ipam/&lt;network&gt;/owners/&lt;cid&gt;@&lt;ifname&gt;   the whole lease ADD reported (LeaseCodec)
 * &lt;root&gt;/ipam/&lt;network&gt;/leases/&lt;address&gt;        who holds the address: "&lt;cid&gt;\n&lt;ifname&gt;\n"
 * &lt;root&gt;/ipam/&lt;network&gt;/index/&lt;hash&gt;           per range set: round-robin cursor + free bitmap (a hint)
 * </pre>
 * Every lookup is by name, so allocate and release never list a directory. A lease is <em>committed</em> when its
 * owner record and all the lease files it names exist and name the owner; anything less is what a killed process
 * left behind: it is never reported, a repeated ADD or DEL of the same owner cleans it up, and GC removes the rest.
 * Files are written through {@link DurableFiles#writeTemp} (".tmp-" + name + a unique suffix), fsync'ed, renamed,
 * and the directory fsync'ed.
 */
final class LeaseDirectory implements AutoCloseable {

    static final String OWNERS = "owners";
    static final String LEASES = "leases";
    static final String INDEX = "index";
    static final String LOCK = "lock";
    static final String TEMP_PREFIX = DurableFiles.TEMP_PREFIX;



    private final Path dir;
    private final Durability durability;
    private final DurableFiles.Lock lock;

    private LeaseDirectory(Path dir, Durability durability, DurableFiles.Lock lock) {
        this.dir = dir;
        this.durability = durability;
        this.lock = lock;
    }

    /**
     * Locks the network's directory, creating it (mode 0700) when {@code create}; returns null when it does not
     * exist and {@code create} is false, so that a read or a DEL of an unknown network writes nothing.
     */
    static LeaseDirectory open(Path dir, Durability durability, boolean create) throws IOException {
        if (!Files.isDirectory(dir)) {
            if (!create) {
                return null;
            }
            DurableFiles.createDirectories(dir);
        }
        DurableFiles.Lock lock = DurableFiles.lock(dir.resolve(LOCK)); // blocks until other processes are done
        try {
            LeaseDirectory store = new LeaseDirectory(dir, durability, lock);
            if (create) {
                for (String sub : List.of(OWNERS, LEASES, INDEX)) {
                    Path p = dir.resolve(sub);
                    if (!Files.isDirectory(p)) {
                        Files.createDirectory(p, DurableFiles.DIR_MODE);
                        store.syncDirectory(dir);
                    }
                }
            }
            return store;
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    Path index() {
        return dir.resolve(INDEX);
    }

    // ---- lease files ---------------------------------------------------------------------------------------------

    boolean leaseExists(Ip ip) {
        return Files.exists(leaseFile(ip));
    }

    /** Who the lease file of {@code ip} names; null when there is none or it is damaged. */
    Owner leaseHolder(Ip ip) throws IOException {
        byte[] data = readIfExists(leaseFile(ip));
        return data == null ? null : LeaseCodec.decodeLeaseFile(data);
    }

    private Path leaseFile(Ip ip) {
        return dir.resolve(LEASES).resolve(ip.toString());
    }

    private Path ownerFile(Owner owner) {
        return dir.resolve(OWNERS).resolve(owner.fileName());
    }

    // ---- owner records -------------------------------------------------------------------------------------------

    /** The raw owner record, or null. */
    byte[] readOwnerRecord(Owner owner) throws IOException {
        return readIfExists(ownerFile(owner));
    }

    /** The committed lease of {@code owner}, or null when there is none (or only a crashed writer's leftovers). */
    Lease committedLease(Owner owner) throws IOException {
        byte[] data = readOwnerRecord(owner);
        return data == null ? null : committed(owner, data);
    }

    /** The lease in {@code record} if it is committed: it names {@code owner} and its lease files name it too. */
    Lease committed(Owner owner, byte[] record) throws IOException {
        Lease lease;
        try {
            lease = LeaseCodec.decodeOwnerRecord(record);
        } catch (IllegalArgumentException damaged) {
            return null;
        }
        if (!lease.owner().equals(owner)) {
            return null;
        }
        for (LeasedIp ip : lease.ips()) {
            if (!owner.equals(leaseHolder(Ip.of(ip.address())))) {
                return null;
            }
        }
        return lease;
    }

    /**
     * Commits a new lease: writes and syncs every file as a temp file, then renames the owner record first and the
     * lease files after it, so that a crash leaves at worst an owner record whose leases are missing.
     */
    void commit(Lease lease) throws IOException {
        Path owners = dir.resolve(OWNERS);
        Path leases = dir.resolve(LEASES);
        Path ownerTemp = writeTemp(owners, lease.owner().fileName(), LeaseCodec.encodeOwnerRecord(lease));
        List<Path> leaseTemps = new ArrayList<>();
        byte[] holder = LeaseCodec.encodeLeaseFile(lease.owner());
        try {
            for (LeasedIp ip : lease.ips()) {
                leaseTemps.add(writeTemp(leases, Ip.of(ip.address()).toString(), holder));
            }
        } catch (IOException | RuntimeException e) {
            DurableFiles.deleteQuietly(ownerTemp, e); // nothing was committed: leave nothing of it
            leaseTemps.forEach(t -> DurableFiles.deleteQuietly(t, e));
            throw e;
        }
        rename(ownerTemp, ownerFile(lease.owner()));
        syncDirectory(owners);
        for (int i = 0; i < leaseTemps.size(); i++) {
            rename(leaseTemps.get(i), leaseFile(Ip.of(lease.ips().get(i).address())));
        }
        syncDirectory(leases);
    }

    /**
     * Removes what {@code owner} holds: the lease files among {@code addresses} that name it (never another
     * holder's), then its owner record. Lease files go first, so that a crash leaves an owner record that a repeated
     * DEL finds again. Returns the addresses whose lease files were removed.
     */
    List<Ip> remove(Owner owner, List<Ip> addresses) throws IOException {
        List<Ip> freed = new ArrayList<>();
        for (Ip ip : addresses) {
            if (owner.equals(leaseHolder(ip)) && Files.deleteIfExists(leaseFile(ip))) {
                freed.add(ip);
            }
        }
        if (!freed.isEmpty()) {
            syncDirectory(dir.resolve(LEASES));
        }
        if (Files.deleteIfExists(ownerFile(owner))) {
            syncDirectory(dir.resolve(OWNERS));
        }
        return freed;
    }

    /** Deletes a file in {@code sub} by name (GC of leftovers). */
    boolean delete(String sub, String name) throws IOException {
        return Files.deleteIfExists(dir.resolve(sub).resolve(name));
    }

    /** The names in {@code sub}; only GC and listings call this. */
    List<String> list(String sub) throws IOException {
        List<String> names = new ArrayList<>();
        Path p = dir.resolve(sub);
        if (!Files.isDirectory(p)) {
            return names;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(p)) {
            for (Path entry : stream) {
                names.add(entry.getFileName().toString());
            }
        }
        return names;
    }

    // ---- files ---------------------------------------------------------------------------------------------------

    static byte[] readIfExists(Path file) throws IOException {
        return DurableFiles.readIfExists(file);
    }

    /** Writes {@code data} to a new temp file in {@code directory} (mode 0600), synced when durable; returns it. */
    Path writeTemp(Path directory, String name, byte[] data) throws IOException {
        return DurableFiles.writeTemp(directory, name, data, durability == Durability.FSYNC);
    }

    static void rename(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("rename " + from + " to " + to + " is not atomic on this file system", e);
        }
    }

    void syncDirectory(Path directory) throws IOException {
        if (durability == Durability.FSYNC) {
            DurableFiles.syncDirectory(directory);
        }
    }

    @Override
    public void close() throws IOException {
        lock.close();
    }
}
