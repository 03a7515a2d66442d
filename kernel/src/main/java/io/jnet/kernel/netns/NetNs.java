package io.jnet.kernel.netns;

import io.jnet.kernel.netlink.NetlinkSocket;
import io.jnet.kernel.sys.Errno;
import io.jnet.kernel.sys.ErrnoException;
import io.jnet.kernel.sys.Fd;
import io.jnet.kernel.sys.Sys;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.regex.Pattern;

/**
 * An open network namespace. Work runs inside it on a fresh platform thread that ends afterwards, so no pooled,
 * virtual or event-loop thread is ever left in another namespace. Prefer {@link #openSocket}: a netlink socket
 * opened inside once can then be used from any thread without switching again.
 */
public final class NetNs implements AutoCloseable {

    /** Where iproute2 keeps named namespaces; a namespace created under it is listed by {@code ip netns}. */
    public static final Path DEFAULT_RUN_DIR = Path.of("/run/netns");

    /** statfs f_type of nsfs, the file system of every namespace file. */
    private static final long NSFS_MAGIC = 0x6e736673L;
    /** _IO(0xb7, 0x3): the CLONE_NEW* type of a namespace (Linux 4.11). */
    private static final long NS_GET_NSTYPE = 0xb703L;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.\\-]{0,254}");

    /** A task that runs inside a namespace and returns nothing. */
    @FunctionalInterface
    public interface Task {
        void run() throws Exception;
    }

    private final Fd fd;
    private final String path;
    /** The thread whose own namespace this is ({@link #current}), which may run work in it without switching. */
    private final Thread self;

    private NetNs(Fd fd, String path, Thread self) {
        this.fd = fd;
        this.path = path;
        this.self = self;
    }

    /**
     * Opens the namespace at a path such as {@code /run/netns/x} or {@code /proc/123/ns/net}. The path is checked
     * before it is opened for real, so that nothing else is ever opened: a FIFO would block the caller forever and a
     * device may act on open. First an {@code O_PATH} handle (which opens nothing), then the file system must be nsfs
     * and {@code NS_GET_NSTYPE} must say a network namespace.
     *
     * @throws NotANetnsException when the path exists but is not a network namespace (a file, a directory, a
     *                            device, a FIFO, a namespace of another type)
     * @throws ErrnoException     naming the path, e.g. ENOENT when there is no such file, ELOOP for a symlink loop,
     *                            ENOTDIR for a trailing slash
     */
    public static NetNs open(String path) throws ErrnoException {
        Fd handle;
        try {
            handle = Sys.open(path, Sys.O_PATH);
        } catch (ErrnoException e) {
            throw new ErrnoException("open netns " + path, e.errno());
        }
        try (handle) {
            if (Sys.fileSystemType(handle, path) != NSFS_MAGIC) {
                throw new NotANetnsException(path, "not a namespace file");
            }
            // an nsfs file opens without blocking or side effects
            Fd fd = Sys.open("/proc/self/fd/" + handle.get(), Sys.O_RDONLY);
            try {
                int type = Sys.ioctl(fd, NS_GET_NSTYPE, "NS_GET_NSTYPE " + path);
                if (type != Sys.CLONE_NEWNET) {
                    throw new NotANetnsException(path, "a namespace of another type");
                }
                return new NetNs(fd, path, null);
            } catch (ErrnoException | RuntimeException e) {
                fd.close();
                throw e;
            }
        }
    }

    /** A path that exists but is not a network namespace; the errno is EINVAL, as setns(2) would say. */
    public static final class NotANetnsException extends ErrnoException {
        NotANetnsException(String path, String what) {
            super(path + " is not a network namespace", Errno.EINVAL, what);
        }
    }

    /**
     * The namespace of the calling thread. Work that this thread gives it runs on this thread, with no switch: our
     * threads never leave the namespace they started in (only {@link #exec} moves one, and it does not return).
     */
    public static NetNs current() throws ErrnoException {
        NetNs ns = open("/proc/thread-self/ns/net");
        return new NetNs(ns.fd, ns.path, Thread.currentThread());
    }

    /**
     * Creates a new, empty namespace named {@code name} under {@code runDir}, as {@code ip netns add} does: the run
     * directory becomes a shared mount point (bind-mounted onto itself first if it is not a mount point), so that
     * the namespace's mount propagates to other mount namespaces and an unmount frees it everywhere; an empty file
     * {@code runDir/name} is created; a dedicated thread unshares into a new namespace, bind-mounts its own
     * {@code /proc/thread-self/ns/net} onto the file and ends. Returns the namespace, open.
     *
     * @throws ErrnoException EEXIST when the name is taken
     */
    public static NetNs create(Path runDir, String name) throws IOException {
        return name(runDir, name, "create netns", file -> onFreshThread("create netns " + name, () -> {
            Sys.unshare(Sys.CLONE_NEWNET);
            Sys.mount("/proc/thread-self/ns/net", file.toString(), Sys.MS_BIND, "bind-mount new netns on " + file);
            return null;
        }));
    }

    /**
     * Gives an existing namespace a name under {@code runDir}, as {@code ip netns attach} does: the same shared run
     * directory and empty file as {@link #create}, with {@code source} (e.g. {@code /proc/self/ns/net}, or another
     * name's file) bind-mounted onto it. The namespace then lives at least as long as the name. Returns it, open.
     *
     * @throws ErrnoException EEXIST when the name is taken, ENOENT when {@code source} does not exist
     */
    public static NetNs attach(Path runDir, String name, String source) throws IOException {
        return name(runDir, name, "attach netns",
                file -> Sys.mount(source, file.toString(), Sys.MS_BIND, "bind-mount netns " + source + " on " + file));
    }

    /** What makes the empty file {@code file} a namespace. */
    private interface Binder {
        void bind(Path file) throws IOException;
    }

    /**
     * The name part of create and attach: the shared run directory, an empty file that no one else holds, then
     * {@code binder}; a failure removes the file again.
     */
    private static NetNs name(Path runDir, String name, String what, Binder binder) throws IOException {
        checkName(name);
        Path file = runDir.resolve(name);
        Files.createDirectories(runDir);
        makeSharedMountPoint(runDir);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("---------")));
        } catch (FileAlreadyExistsException e) {
            throw new ErrnoException(what + " " + file, Errno.EEXIST);
        }
        try {
            binder.bind(file);
            return open(file.toString());
        } catch (IOException | RuntimeException e) {
            try {
                delete(runDir, name);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /**
     * Whether {@code path} is a namespace file: a bind-mounted namespace or a {@code /proc/<pid>/ns/*} link. False
     * for a missing path and for the empty file that an unmount behind our back leaves. Every namespace file lives
     * on the one nsfs device, so comparing the device with our own namespace's says it.
     */
    public static boolean isNamespace(Path path) {
        try {
            Object dev = Files.getAttribute(path, "unix:dev");
            return dev.equals(Files.getAttribute(Path.of("/proc/self/ns/net"), "unix:dev"));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /**
     * Deletes the named namespace as {@code ip netns delete} does: lazily unmounts and removes {@code runDir/name}.
     * The namespace itself lives on while a process or an open handle still uses it. Returns false when there was
     * nothing to delete.
     */
    public static boolean delete(Path runDir, String name) throws ErrnoException {
        checkName(name);
        String file = runDir.resolve(name).toString();
        try {
            Sys.unmount(file, Sys.MNT_DETACH);
        } catch (ErrnoException e) {
            // EINVAL: not a mount point (a half-created namespace); ENOENT: already gone
            if (e.errno() != Errno.EINVAL && e.errno() != Errno.ENOENT) {
                throw new ErrnoException("delete netns " + file + ": unmount", e.errno());
            }
        }
        try {
            Sys.unlink(file);
            return true;
        } catch (ErrnoException e) {
            if (e.errno() == Errno.ENOENT) {
                return false;
            }
            throw new ErrnoException("delete netns " + file + ": unlink", e.errno());
        }
    }

    private static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid netns name \"" + name
                    + "\": letters, digits, '_', '.', '-', starting with a letter or digit");
        }
    }

    /** iproute2's netns_add: make the run directory a shared mount, turning it into a mount point when needed. */
    private static void makeSharedMountPoint(Path runDir) throws IOException {
        String dir = runDir.toString();
        try (Fd lock = Sys.open(dir, Sys.O_RDONLY | Sys.O_DIRECTORY)) {
            // the same lock as ip netns add, so that two of us never stack bind mounts on the directory
            Sys.flock(lock, Sys.LOCK_EX, "lock " + dir);
            try {
                Sys.mount("", dir, Sys.MS_SHARED | Sys.MS_REC, "make " + dir + " a shared mount");
            } catch (ErrnoException e) {
                if (e.errno() != Errno.EINVAL) {
                    throw e;
                }
                // EINVAL: not a mount point yet
                Sys.mount(dir, dir, Sys.MS_BIND | Sys.MS_REC, "bind-mount " + dir + " onto itself");
                Sys.mount("", dir, Sys.MS_SHARED | Sys.MS_REC, "make " + dir + " a shared mount");
            } finally {
                Sys.flock(lock, Sys.LOCK_UN, "unlock " + dir);
            }
        }
    }

    public String path() {
        return path;
    }

    public Fd fd() {
        return fd;
    }

    /** The namespace's identity (the nsfs inode), for comparing two handles. */
    public long inode() throws IOException {
        try {
            return (Long) Files.getAttribute(Path.of("/proc/self/fd/" + fd.get()), "unix:ino");
        } catch (NoSuchFileException e) {
            throw new ErrnoException("stat netns " + path, Errno.EBADF);
        }
    }

    /**
     * Runs a task inside this namespace on a dedicated platform thread and returns its result; on the calling thread
     * when this is that thread's own namespace ({@link #current}), where a thread would cost more than the task.
     */
    public <T> T call(Callable<T> task) throws IOException {
        if (self == Thread.currentThread()) {
            return inline(task);
        }
        return onFreshThread("netns " + path, () -> {
            Sys.setns(fd, Sys.CLONE_NEWNET, path);
            return task.call();
        });
    }

    /** Runs a task inside this namespace on a dedicated platform thread. */
    public void run(Task task) throws IOException {
        call(() -> {
            task.run();
            return null;
        });
    }

    /**
     * Moves the calling thread into this namespace and replaces the process with {@code argv} (execvp), so the
     * program runs inside it. This is the one place that switches a thread it did not create: the thread that execs
     * is the thread whose namespace the program inherits. Returns only by throwing, and then the calling thread may
     * already be inside the namespace: the caller can only report and exit.
     */
    public void exec(List<String> argv) throws ErrnoException {
        Sys.setns(fd, Sys.CLONE_NEWNET, path);
        Sys.execvp(argv);
    }

    /**
     * Runs a task in a new, empty network namespace that no one else sees and that vanishes with the task's thread:
     * a place to ask the kernel what it supports without changing any namespace that exists.
     */
    public static <T> T inThrowaway(Callable<T> task) throws IOException {
        return onFreshThread("throwaway netns", () -> {
            Sys.unshare(Sys.CLONE_NEWNET);
            return task.call();
        });
    }

    /**
     * A new, empty network namespace that only this handle keeps alive: it is mounted nowhere and vanishes when the
     * handle is closed. Its {@link #path()} is {@code /proc/<pid>/fd/<fd>}, which other code of this process can
     * open (a plugin's CNI_NETNS in the daemon's warm-up, the training run).
     */
    public static NetNs throwaway() throws IOException {
        Fd fd = onFreshThread("throwaway netns", () -> {
            Sys.unshare(Sys.CLONE_NEWNET);
            return Sys.open("/proc/thread-self/ns/net", Sys.O_RDONLY);
        });
        return new NetNs(fd, "/proc/" + ProcessHandle.current().pid() + "/fd/" + fd.get(), null);
    }

    /** Opens a netlink socket that lives in this namespace. */
    public NetlinkSocket openSocket(int protocol) throws IOException {
        return call(() -> NetlinkSocket.open(protocol));
    }

    private static <T> T inline(Callable<T> task) throws IOException {
        try {
            return task.call();
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /**
     * Runs a task on a new platform thread that ends with it, so that whatever namespace the task switched the
     * thread to goes with the thread.
     */
    private static <T> T onFreshThread(String name, Callable<T> task) throws IOException {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                result.complete(task.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + name, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IOException(name + ": " + cause, cause);
        }
    }

    @Override
    public void close() {
        fd.close();
    }
}
