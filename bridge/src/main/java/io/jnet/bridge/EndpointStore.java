package io.jnet.bridge;

import io.jnet.cni.CniException;
import io.jnet.cni.Names;
import io.jnet.kernel.fs.DurableFiles;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The bridge driver's records: {@code <root>/bridge/<network>/<containerId>@<ifname>.json}, one per attachment, so
 * that ADD and DEL of different containers never contend. Names reach paths only after CNI validation (PluginMain
 * checks the container id and ifname, NetConf the network name).
 */
final class EndpointStore {

    private final Path root;

    EndpointStore(Path root) {
        this.root = root.resolve("bridge");
    }

    private Path dir(String network) {
        return root.resolve(network);
    }

    private Path file(String network, String containerId, String ifName) {
        return dir(network).resolve(containerId + "@" + ifName + ".json");
    }

    /**
     * Atomic but not fsync'ed: a record describes kernel objects (a veth, firewall elements) that a power loss erases
     * too, so only a killed process matters, and the rename covers it. The leases are IPAM's, and durable.
     */
    void save(Endpoint a) throws IOException {
        DurableFiles.createDirectories(dir(a.network()));
        DurableFiles.replace(file(a.network(), a.containerId(), a.ifName()), a.toJson());
    }

    /**
     * The record, or null. A record that does not parse is reported, not ignored: DEL must not leak its objects. An
     * empty file is no record: only a power loss right after a first {@link #save} leaves one, and the kernel
     * objects it would describe went with the power too.
     */
    Endpoint load(String network, String containerId, String ifName) throws IOException, CniException {
        byte[] data = DurableFiles.readIfExists(file(network, containerId, ifName));
        return data == null || data.length == 0 ? null : Endpoint.fromJson(data);
    }

    /** Deletes the record; unsynced, as {@link #save} writes it. */
    boolean delete(String network, String containerId, String ifName) throws IOException {
        return Files.deleteIfExists(file(network, containerId, ifName));
    }

    /**
     * The network's lock, {@code <root>/bridge/<network>.lock}: an ADD records itself under it, and whatever decides
     * from the records that a network's bridge is unused (a failed ADD's undo, removing the network) holds it from
     * that decision until the bridge is gone. The file is never deleted: a process waiting on it holds the file it
     * opened, and a new file would let the next process in beside it.
     */
    DurableFiles.Lock lock(String network) throws IOException {
        DurableFiles.createDirectories(root);
        return DurableFiles.lock(root.resolve(network + ".lock"));
    }

    /** Every record of the network, and the files that are not records (damaged); temp files are skipped. */
    Listing list(String network) throws IOException {
        List<Endpoint> records = new ArrayList<>();
        List<Damaged> damaged = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir(network), "*.json")) {
            for (Path f : files) {
                if (DurableFiles.isTemp(f)) {
                    continue;
                }
                byte[] data = DurableFiles.readIfExists(f);
                if (data == null) {
                    continue; // a concurrent DEL removed it
                }
                try {
                    records.add(Endpoint.fromJson(data));
                } catch (CniException e) {
                    damaged.add(Damaged.of(f, e.getMessage()));
                }
            }
        } catch (NoSuchFileException e) {
            return new Listing(records, damaged);
        }
        return new Listing(records, damaged);
    }

    /** Removes the temp files that writers killed mid-write left in the network's directory; takes its lock. */
    List<Path> removeLeftovers(String network) throws IOException {
        try (DurableFiles.Lock held = lock(network)) {
            return DurableFiles.removeTemps(dir(network));
        }
    }

    /** The networks that have a directory of records. */
    List<String> networks() throws IOException {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, Files::isDirectory)) {
            for (Path d : dirs) {
                out.add(d.getFileName().toString());
            }
        } catch (NoSuchFileException none) {
            return out;
        }
        return out;
    }

    /** Deletes a damaged record's file. */
    boolean delete(Damaged damaged) throws IOException {
        return DurableFiles.delete(damaged.file());
    }

    /** Deletes the network's directory of records, which must hold no record; the lock file stays. */
    void removeNetwork(String network) throws IOException {
        Path dir = dir(network);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                Files.deleteIfExists(f);  // what is left: temp files of writers that were killed
            }
        } catch (NoSuchFileException gone) {
            return;
        }
        Files.deleteIfExists(dir);
        DurableFiles.syncDirectory(root);
    }

    /** The records of a network, and the files among them that do not parse. */
    record Listing(List<Endpoint> records, List<Damaged> damaged) {
        Listing {
            records = List.copyOf(records);
            damaged = List.copyOf(damaged);
        }

        boolean isEmpty() {
            return records.isEmpty() && damaged.isEmpty();
        }
    }

    /**
     * A record file that does not parse (a disk fault, or an edit by hand). Its name still says whose it was:
     * {@code <containerId>@<ifname>.json}; {@code containerId} and {@code ifName} are "" when it does not.
     */
    record Damaged(Path file, String containerId, String ifName, String reason) {
        static Damaged of(Path file, String reason) {
            String name = file.getFileName().toString();
            String stem = name.substring(0, name.length() - ".json".length());
            int at = stem.indexOf('@');  // a container id has no @
            if (at <= 0 || !Names.isValidName(stem.substring(0, at)) || !Names.isValidIfName(stem.substring(at + 1))) {
                return new Damaged(file, "", "", reason);
            }
            return new Damaged(file, stem.substring(0, at), stem.substring(at + 1), reason);
        }

        boolean isDerivable() {
            return !containerId.isEmpty();
        }
    }
}
