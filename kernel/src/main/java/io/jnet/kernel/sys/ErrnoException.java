package io.jnet.kernel.sys;

import java.io.IOException;

/**
 * A system call or kernel request failed. The message says what was being done, to what, and the symbolic errno,
 * e.g. {@code "create link veth0: EEXIST (File exists)"}.
 */
public class ErrnoException extends IOException {

    private final int errno;

    public ErrnoException(String what, int errno) {
        this(what, errno, "");
    }

    public ErrnoException(String what, int errno, String detail) {
        super(what + ": " + Errno.name(errno) + (detail.isEmpty() ? "" : " (" + detail + ")"));
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }

    /** True when the object the call named does not exist: DEL paths treat this as done. */
    public boolean isNotFound() {
        return errno == Errno.ENOENT || errno == Errno.ENODEV || errno == Errno.ESRCH
                || errno == Errno.EADDRNOTAVAIL;
    }

    /** True when the call failed for want of descriptors or memory, not because of what it named. */
    public boolean isOutOfResources() {
        return errno == Errno.EMFILE || errno == Errno.ENFILE || errno == Errno.ENOMEM;
    }

    public boolean isAlreadyExists() {
        return errno == Errno.EEXIST;
    }
}
