package io.jnet.kernel.sys;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

import java.nio.ByteBuffer;

/**
 * The whole native boundary: libc by JNA direct mapping (no proxies, so the class-data cache can hold it).
 * Callers use the checked wrappers in {@link Sys}; nothing else in the code base declares a native method.
 */
final class LibC {
    static {
        Native.register(LibC.class, "c");
    }

    private LibC() {
    }

    static native int socket(int domain, int type, int protocol) throws LastErrorException;

    static native int bind(int fd, byte[] addr, int len) throws LastErrorException;

    static native int getsockname(int fd, byte[] addr, int[] len) throws LastErrorException;

    static native int setsockopt(int fd, int level, int name, int[] value, int len) throws LastErrorException;

    static native long send(int fd, ByteBuffer buf, long len, int flags) throws LastErrorException;

    static native long recv(int fd, ByteBuffer buf, long len, int flags) throws LastErrorException;

    static native int close(int fd) throws LastErrorException;

    static native int open(String path, int flags) throws LastErrorException;

    static native int setns(int fd, int nstype) throws LastErrorException;

    static native int unshare(int flags) throws LastErrorException;

    static native int mount(String source, String target, String fstype, long flags, Pointer data)
            throws LastErrorException;

    static native int umount2(String target, int flags) throws LastErrorException;

    static native int gettid();

    static native long read(int fd, byte[] buf, long count) throws LastErrorException;

    static native long write(int fd, byte[] buf, long count) throws LastErrorException;

    static native int flock(int fd, int operation) throws LastErrorException;

    static native int unlink(String path) throws LastErrorException;

    /** argv is a NULL-terminated {@code char *[]} (a {@link com.sun.jna.StringArray}); returns only on failure. */
    static native int execvp(String file, Pointer argv) throws LastErrorException;

    /** Returns an error number instead of setting errno; {@code set} is a {@code sigset_t}. */
    static native int pthread_sigmask(int how, byte[] set, byte[] oldset);
}
