package io.jnet.kernel.netns;

import io.jnet.kernel.netlink.NetlinkSocket;
import io.jnet.kernel.sys.ErrnoException;
import io.jnet.kernel.sys.Fd;
import io.jnet.kernel.sys.Sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * An open network namespace. Work runs inside it on a fresh platform thread that ends afterwards, so no pooled,
 * virtual or event-loop thread is ever left in another namespace. Prefer {@link #openSocket}: a netlink socket
 * opened inside once can then be used from any thread without switching again.
 */
public final class NetNs implements AutoCloseable {

    private final Fd fd;
    private final String path;

    private NetNs(Fd fd, String path) {
        this.fd = fd;
        this.path = path;
    }

    /** Opens the namespace at a path such as {@code /run/netns/x} or {@code /proc/123/ns/net}. */
    public static NetNs open(String path) throws ErrnoException {
        return new NetNs(Sys.open(path, Sys.O_RDONLY), path);
    }

    /** The namespace of the calling thread. */
    public static NetNs current() throws ErrnoException {
        return open("/proc/thread-self/ns/net");
    }

    public String path() {
        return path;
    }

    public Fd fd() {
        return fd;
    }

    /** The namespace's identity (the nsfs inode), for comparing two handles. */
    public long inode() throws IOException {
        return (Long) Files.getAttribute(Path.of("/proc/self/fd/" + fd.get()), "unix:ino");
    }

    /** Runs a task inside this namespace on a dedicated platform thread and returns its result. */
    public <T> T call(Callable<T> task) throws IOException {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                Sys.setns(fd, Sys.CLONE_NEWNET, path);
                result.complete(task.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
            // the thread ends here, and the namespace it switched to goes with it
        }, "netns " + path);
        thread.setDaemon(true);
        thread.start();
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while working in netns " + path, e);
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
            throw new IOException("in netns " + path + ": " + cause, cause);
        }
    }

    /** Opens a netlink socket that lives in this namespace. */
    public NetlinkSocket openSocket(int protocol) throws IOException {
        return call(() -> NetlinkSocket.open(protocol));
    }

    @Override
    public void close() {
        fd.close();
    }
}
