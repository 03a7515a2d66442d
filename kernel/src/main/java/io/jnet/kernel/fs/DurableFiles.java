package io.jnet.kernel.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * State files that survive a crash at any instant: directories 0700, files 0600, each write a temp file that is
 * fsync'ed, renamed over the target and followed by an fsync of the directory.
 */
public final class DurableFiles {

    public static final FileAttribute<Set<PosixFilePermission>> DIR_MODE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
    public static final FileAttribute<Set<PosixFilePermission>> FILE_MODE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    /** How every temporary file begins, so that readers skip them and GC finds what killed writers left. */
    public static final String TEMP_PREFIX = ".tmp-";

    /** FileChannel locks belong to the whole JVM, so the threads of one JVM need a lock of their own too. */
    private static final ConcurrentHashMap<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();
    private static final AtomicLong TEMP_COUNTER = new AtomicLong();

    private DurableFiles() {
    }

    /** Creates missing directories down to {@code dir}, each 0700, making each creation durable. */
    public static void createDirectories(Path dir) throws IOException {
        Path absolute = dir.toAbsolutePath();
        Path parent = absolute.getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            createDirectories(parent);
        }
        try {
            Files.createDirectory(absolute, DIR_MODE);
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(absolute)) {
                throw e;
            }
            return;
        }
        if (parent != null) {
            syncDirectory(parent);
        }
    }

    /** Replaces {@code file} with {@code data} atomically and durably. */
    public static void write(Path file, byte[] data) throws IOException {
        write(file, data, null);
    }

    /**
     * As {@link #write(Path, byte[])}, with the file's mode {@code mode} instead of 0600 (a launcher others run,
     * a config others read); null keeps 0600.
     */
    public static void write(Path file, byte[] data, Set<PosixFilePermission> mode) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path temp = writeTemp(dir, file.getFileName().toString(), data, true);
        try {
            if (mode != null) {
                Files.setPosixFilePermissions(temp, mode);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(temp, e); // a full disk must not keep what it could not finish
            throw e;
        }
        syncDirectory(dir);
    }

    /**
     * Replaces {@code file} with {@code data} atomically, without fsync: a killed process leaves the old content or
     * the new, never a mix, but a power loss may lose the write. For records of kernel state (veths, firewall
     * elements), which a power loss erases too.
     */
    public static void replace(Path file, byte[] data) throws IOException {
        Path temp = writeTemp(file.toAbsolutePath().getParent(), file.getFileName().toString(), data, false);
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(temp, e);
            throw e;
        }
    }

    /**
     * Writes {@code data} to a new temporary file in {@code dir} (mode 0600, fsync'ed when {@code sync}) and returns
     * it, for a caller that renames several files in an order of its own. Its name is unique to this process and
     * call, so concurrent writers of the same file, threads or processes, never share one.
     */
    public static Path writeTemp(Path dir, String name, byte[] data, boolean sync) throws IOException {
        Path temp = dir.resolve(TEMP_PREFIX + name + "-" + ProcessHandle.current().pid() + "-"
                + TEMP_COUNTER.incrementAndGet());
        try (FileChannel ch = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                FILE_MODE)) {
            ByteBuffer buf = ByteBuffer.wrap(data);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            if (sync) {
                ch.force(true);
            }
        } catch (IOException | RuntimeException e) {
            deleteQuietly(temp, e); // a full disk must not keep what it could not finish
            throw e;
        }
        return temp;
    }

    /**
     * Puts directory {@code replacement} at {@code target}: swapped in one step when {@code target} exists, so that
     * at no instant is there nothing at {@code target}, renamed otherwise. Afterwards {@code replacement} holds what
     * {@code target} held (nothing when there was nothing), for the caller to delete.
     */
    public static void replaceDirectory(Path replacement, Path target) throws IOException {
        if (Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            io.jnet.kernel.sys.Sys.exchange(replacement.toString(), target.toString());
        } else {
            Files.move(replacement, target, StandardCopyOption.ATOMIC_MOVE);
        }
        syncDirectory(target.toAbsolutePath().getParent());
    }

    /** Removes a temp file after a failed write; a failure to remove it is added to the write's. */
    public static void deleteQuietly(Path temp, Exception failure) {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    /** The file's bytes, or null when it does not exist. */
    public static byte[] readIfExists(Path file) throws IOException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Deletes {@code root} and everything under it, if it exists; not synced (for temporary trees). */
    public static void deleteTree(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (NoSuchFileException gone) {
            // nothing to delete
        }
    }

    /** Deletes the file durably; false when it was not there. */
    public static boolean delete(Path file) throws IOException {
        boolean deleted = Files.deleteIfExists(file);
        if (deleted) {
            syncDirectory(file.toAbsolutePath().getParent());
        }
        return deleted;
    }

    public static boolean isTemp(Path file) {
        return file.getFileName().toString().startsWith(TEMP_PREFIX);
    }

    /**
     * Deletes the temp files in {@code dir} that writers killed between write and rename left behind, and returns
     * them. The caller holds the lock that the directory's writers take, so no live writer's file is among them.
     */
    public static List<Path> removeTemps(Path dir) throws IOException {
        List<Path> removed = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, TEMP_PREFIX + "*")) {
            for (Path file : files) {
                if (Files.deleteIfExists(file)) {
                    removed.add(file);
                }
            }
        } catch (NoSuchFileException e) {
            return removed;
        }
        if (!removed.isEmpty()) {
            syncDirectory(dir);
        }
        return removed;
    }

    public static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /**
     * Takes an exclusive lock on {@code lockFile} (created 0600 if needed) that serialises processes and threads
     * alike; closing the returned handle releases it.
     */
    public static Lock lock(Path lockFile) throws IOException {
        // keyed by the real path: the JVM refuses a second lock on the same file reached through another name
        Path key = lockFile.toAbsolutePath().getParent().toRealPath().resolve(lockFile.getFileName());
        ReentrantLock jvmLock = JVM_LOCKS.computeIfAbsent(key, p -> new ReentrantLock());
        jvmLock.lock();
        try {
            FileChannel channel = FileChannel.open(lockFile, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                    FILE_MODE);
            try {
                channel.lock();
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
            return new Lock(channel, jvmLock);
        } catch (IOException | RuntimeException e) {
            jvmLock.unlock();
            throw e;
        }
    }

    /** A held lock. */
    public static final class Lock implements AutoCloseable {
        private final FileChannel channel;
        private final ReentrantLock jvmLock;

        private Lock(FileChannel channel, ReentrantLock jvmLock) {
            this.channel = channel;
            this.jvmLock = jvmLock;
        }

        @Override
        public void close() throws IOException {
            try {
                channel.close();
            } finally {
                jvmLock.unlock();
            }
        }
    }
}
