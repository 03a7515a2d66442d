package io.jnet.kernel.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * State files that survive a crash at any instant: directories 0700, files 0600, each write a temp file that is
 * fsync'ed, renamed over the target and followed by an fsync of the directory.
 */
public final class DurableFiles {

    public static final FileAttribute<Set<PosixFilePermission>> DIR_MODE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
    public static final FileAttribute<Set<PosixFilePermission>> FILE_MODE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    private static final String TEMP_PREFIX = ".tmp-";

    /** FileChannel locks belong to the whole JVM, so the threads of one JVM need a lock of their own too. */
    private static final ConcurrentHashMap<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

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
        Path dir = file.toAbsolutePath().getParent();
        // unique per process and thread: the daemon's calls run on many threads of one process
        Path temp = dir.resolve(TEMP_PREFIX + file.getFileName() + "-" + ProcessHandle.current().pid() + "-"
                + Thread.currentThread().getId());
        try (FileChannel ch = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING), FILE_MODE)) {
            ByteBuffer buf = ByteBuffer.wrap(data);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(dir);
    }

    /** The file's bytes, or null when it does not exist. */
    public static byte[] readIfExists(Path file) throws IOException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
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
