package io.jnet.kernel.sys;

import java.util.concurrent.atomic.AtomicInteger;

/** An owned file descriptor; {@link #close()} is idempotent. */
public final class Fd implements AutoCloseable {

    private final AtomicInteger fd;

    Fd(int fd) {
        this.fd = new AtomicInteger(fd);
    }

    /** The raw descriptor; throws when closed so that a stale number is never reused by mistake. */
    public int get() {
        int value = fd.get();
        if (value < 0) {
            throw new IllegalStateException("file descriptor already closed");
        }
        return value;
    }

    public boolean isOpen() {
        return fd.get() >= 0;
    }

    @Override
    public void close() {
        int value = fd.getAndSet(-1);
        if (value >= 0) {
            try {
                LibC.close(value);
            } catch (RuntimeException ignored) {
                // close(2) errors on a descriptor we own leave nothing to retry (see close(2) on EINTR)
            }
        }
    }
}
