package io.jnet.cli;

import io.jnet.cni.CniException;
import io.jnet.cni.Json;
import io.jnet.cni.Names;
import io.jnet.container.AmbiguousIdException;
import io.jnet.container.ContainerDirectory;
import io.jnet.kernel.fs.DurableFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The containers that {@code jnet create} made, one JSON file each under {@code <root>/containers/}, with what
 * the {@code jnet} command records of them (mode, ports, members, the ADD result); the {@code jnet-container}
 * plugin reads only what it needs to resolve a name ({@link ContainerDirectory}). The root is {@code /var/lib/jnet}
 * unless {@code JNET_ROOT} (read by the entry points) or a config's {@code dataDir} says otherwise.
 *
 * <p>Directories are 0700 and files 0600, written through {@link DurableFiles}: a temporary file that is fsynced
 * and renamed over the record, then the directory fsynced, so a reader (or a crash) sees the old record or the new
 * one, never a part. Writers serialise on {@link #lock()}, an exclusive lock that the kernel drops when the process dies; readers
 * need no lock. Reading never creates anything, so the plugin and {@code jnet ls} leave no trace.
 */
public final class ContainerStore {

    /** Names become file and namespace names; this leaves room for the suffixes of both. */
    public static final int MAX_NAME_LENGTH = ContainerDirectory.MAX_NAME_LENGTH;

    private static final String SUFFIX = ContainerDirectory.SUFFIX;
    private static final String LOCK = ".lock";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path root;
    private final Path dir;
    private final ContainerDirectory directory;

    private ContainerStore(Path root) {
        this.root = root;
        this.directory = ContainerDirectory.at(root);
        this.dir = directory.dir();
    }

    /** The store under {@code root}; nothing is read or created until it is used. */
    public static ContainerStore at(Path root) {
        return new ContainerStore(root.toAbsolutePath());
    }

    public Path root() {
        return root;
    }

    /** {@code <root>/containers}. */
    public Path dir() {
        return dir;
    }

    /**
     * Throws IllegalArgumentException unless {@code name} can name a container: CNI's
     * {@code ^[a-zA-Z0-9][a-zA-Z0-9_.\-]*$}, at most {@link #MAX_NAME_LENGTH} characters.
     */
    public static void checkName(String name) {
        if (name == null || !Names.isValidName(name)) {
            throw new IllegalArgumentException("invalid container name \"" + name
                    + "\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
        }
        if (name.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("invalid container name \"" + name + "\": longer than "
                    + MAX_NAME_LENGTH + " characters");
        }
    }

    /** Whether {@code text} is a container id: 64 lower-case hex digits. */
    static boolean isId(String text) {
        if (text.length() != 64) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    /** A fresh random id: 64 lower-case hex digits. */
    public static String newId() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /**
     * The container that {@code ref} names: a name, else a full id, else a prefix of exactly one id, as the
     * {@code jnet-container} plugin resolves it ({@link ContainerDirectory#find}). Empty when nothing matches.
     *
     * @throws AmbiguousIdException when the prefix matches several ids
     */
    public Optional<ContainerRecord> find(String ref) throws IOException {
        Optional<ContainerDirectory.Entry> entry = directory.find(ref);
        return entry.isEmpty() ? Optional.empty() : named(entry.get().name());
    }

    /**
     * The container with exactly this name, never an id prefix: a name that looks like one (say "c", when several
     * ids start with c) is still only a name. Create checks a new name with this.
     */
    public Optional<ContainerRecord> named(String name) throws IOException {
        if (!ContainerDirectory.isName(name)) {
            return Optional.empty();
        }
        return read(dir.resolve(name + SUFFIX));
    }

    /** Every container, by name; empty when the store does not exist yet. */
    public List<ContainerRecord> list() throws IOException {
        List<ContainerRecord> records = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return records;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path file : files) {
                String fileName = file.getFileName().toString();
                String name = fileName.substring(0, fileName.length() - SUFFIX.length());
                if (Names.isValidName(name)) {
                    read(file).ifPresent(records::add);     // a record removed meanwhile is simply gone
                }
            }
        }
        records.sort(Comparator.comparing(ContainerRecord::name));
        return records;
    }

    /** The members of {@code leader}'s namespace: every record whose leader it is. */
    public List<ContainerRecord> membersOf(String leader) throws IOException {
        List<ContainerRecord> members = new ArrayList<>();
        for (ContainerRecord r : list()) {
            if (r.leader().equals(leader)) {
                members.add(r);
            }
        }
        return members;
    }

    private Optional<ContainerRecord> read(Path file) throws IOException {
        byte[] data;
        try {
            data = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        try {
            return Optional.of(ContainerRecord.fromJson(Json.parseObject(data), file.getFileName().toString()));
        } catch (CniException e) {
            throw new IOException("read container record " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes a record, replacing the one of the same name, crash-safely (see the class comment). */
    public void put(ContainerRecord record) throws IOException {
        DurableFiles.createDirectories(dir);
        Path target = dir.resolve(record.name() + SUFFIX);
        try {
            DurableFiles.write(target, Json.writePretty(record.toJson()).concat("\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IOException("write container record " + target + ": " + e.getMessage(), e);
        }
    }

    /** Removes a record; false when there was none. */
    public boolean remove(String name) throws IOException {
        checkName(name);
        return DurableFiles.delete(dir.resolve(name + SUFFIX));
    }

    /**
     * Takes the store's exclusive lock, waiting for another process or another thread of this one that holds it.
     * Everything a writer reads and then writes (is the name free? who are the members?) happens under it. Close
     * to release.
     */
    public Lock lock() throws IOException {
        DurableFiles.createDirectories(dir);
        Path file = dir.resolve(LOCK);
        try {
            return new Lock(DurableFiles.lock(file));
        } catch (IOException e) {
            throw new IOException("lock container store " + file + ": " + e.getMessage(), e);
        }
    }

    /** Temporary files that a writer killed between write and rename left behind; removed under the lock. */
    public List<Path> removeLeftovers() throws IOException {
        List<Path> removed = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return removed;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, ".*")) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                // DurableFiles' temp files, and those of versions that wrote ".<name>.json.<random>"
                boolean temp = DurableFiles.isTemp(file) || name.contains(SUFFIX + ".");
                if (temp && Files.deleteIfExists(file)) {
                    removed.add(file);
                }
            }
        }
        return removed;
    }

    /** The held store lock. */
    public static final class Lock implements AutoCloseable {
        private final DurableFiles.Lock lock;

        private Lock(DurableFiles.Lock lock) {
            this.lock = lock;
        }

        @Override
        public void close() throws IOException {
            lock.close();
        }
    }
}
