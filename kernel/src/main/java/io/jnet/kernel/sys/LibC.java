package io.jnet.kernel.sys;

import com.sun.jna.Function;
import com.sun.jna.LastErrorException;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

import java.nio.ByteBuffer;

/**
 * The whole native boundary: libc functions called through JNA's {@link Function}.
 * Callers use the checked wrappers in {@link Sys}; nothing else in the code base calls native code.
 *
 * <p>Why not JNA's direct mapping ({@code Native.register}): registering builds JNA's libffi type descriptors
 * through reflection and annotation proxies, about 20 ms of a plugin call's start-up that no class-data archive can
 * save; a {@code Function} call passes its arguments through the same native dispatcher without them. Every
 * function is made with {@link Function#THROW_LAST_ERROR}: a call that sets errno throws {@link LastErrorException}.
 */
final class LibC {

    private static final NativeLibrary C = NativeLibrary.getInstance("c");
    private static final Function SOCKET = fn("socket");
    private static final Function BIND = fn("bind");
    private static final Function GETSOCKNAME = fn("getsockname");
    private static final Function SETSOCKOPT = fn("setsockopt");
    private static final Function SEND = fn("send");
    private static final Function RECV = fn("recv");
    private static final Function CLOSE = fn("close");
    private static final Function OPEN = fn("open");
    private static final Function READ = fn("read");
    private static final Function WRITE = fn("write");
    private static final Function FLOCK = fn("flock");
    private static final Function FCNTL = fn("fcntl");
    private static final Function UNLINK = fn("unlink");
    private static final Function SETNS = fn("setns");
    private static final Function UNSHARE = fn("unshare");
    private static final Function MOUNT = fn("mount");
    private static final Function UMOUNT2 = fn("umount2");
    private static final Function GETTID = fn("gettid");
    private static final Function EXECVP = fn("execvp");
    private static final Function FSTATFS = fn("fstatfs");
    private static final Function IOCTL = fn("ioctl");
    private static final Function PTHREAD_SIGMASK = C.getFunction("pthread_sigmask");

    private LibC() {
    }

    private static Function fn(String name) {
        return C.getFunction(name, Function.THROW_LAST_ERROR);
    }

    static int socket(int domain, int type, int protocol) throws LastErrorException {
        return SOCKET.invokeInt(new Object[] {domain, type, protocol});
    }

    static int bind(int fd, byte[] addr, int len) throws LastErrorException {
        return BIND.invokeInt(new Object[] {fd, addr, len});
    }

    static int getsockname(int fd, byte[] addr, int[] len) throws LastErrorException {
        return GETSOCKNAME.invokeInt(new Object[] {fd, addr, len});
    }

    static int setsockopt(int fd, int level, int name, int[] value, int len) throws LastErrorException {
        return SETSOCKOPT.invokeInt(new Object[] {fd, level, name, value, len});
    }

    /** {@code buf} must be direct; the call sees its memory from position 0. */
    static long send(int fd, ByteBuffer buf, long len, int flags) throws LastErrorException {
        return SEND.invokeLong(new Object[] {fd, buf, len, flags});
    }

    /** {@code buf} must be direct; the call sees its memory from position 0. */
    static long recv(int fd, ByteBuffer buf, long len, int flags) throws LastErrorException {
        return RECV.invokeLong(new Object[] {fd, buf, len, flags});
    }

    static int close(int fd) throws LastErrorException {
        return CLOSE.invokeInt(new Object[] {fd});
    }

    static int open(String path, int flags) throws LastErrorException {
        return OPEN.invokeInt(new Object[] {path, flags});
    }

    static int setns(int fd, int nstype) throws LastErrorException {
        return SETNS.invokeInt(new Object[] {fd, nstype});
    }

    static int unshare(int flags) throws LastErrorException {
        return UNSHARE.invokeInt(new Object[] {flags});
    }

    static int mount(String source, String target, String fstype, long flags, Pointer data)
            throws LastErrorException {
        return MOUNT.invokeInt(new Object[] {source, target, fstype, flags, data});
    }

    static int umount2(String target, int flags) throws LastErrorException {
        return UMOUNT2.invokeInt(new Object[] {target, flags});
    }

    static int gettid() {
        return GETTID.invokeInt(new Object[0]);
    }

    static long read(int fd, byte[] buf, long count) throws LastErrorException {
        return READ.invokeLong(new Object[] {fd, buf, count});
    }

    static long write(int fd, byte[] buf, long count) throws LastErrorException {
        return WRITE.invokeLong(new Object[] {fd, buf, count});
    }

    /** {@code buf} receives a {@code struct statfs}; its first field is {@code f_type}. */
    static int fstatfs(int fd, byte[] buf) throws LastErrorException {
        return FSTATFS.invokeInt(new Object[] {fd, buf});
    }

    /** An ioctl without an argument; the request is an unsigned long. */
    static int ioctl(int fd, long request) throws LastErrorException {
        return IOCTL.invokeInt(new Object[] {fd, request});
    }

    static int flock(int fd, int operation) throws LastErrorException {
        return FLOCK.invokeInt(new Object[] {fd, operation});
    }

    /** renameat2(2) relative to the working directory; looked up on first use, as only {@code jnet install} calls it. */
    static int renameat2(String from, String to, int flags) throws LastErrorException {
        return fn("renameat2").invokeInt(new Object[] {AT_FDCWD, from, AT_FDCWD, to, flags});
    }

    private static final int AT_FDCWD = -100;

    static int fcntl(int fd, int cmd, int arg) throws LastErrorException {
        return FCNTL.invokeInt(new Object[] {fd, cmd, arg});
    }

    static int unlink(String path) throws LastErrorException {
        return UNLINK.invokeInt(new Object[] {path});
    }

    /** argv is a NULL-terminated {@code char *[]} (a {@link com.sun.jna.StringArray}); returns only on failure. */
    static int execvp(String file, Pointer argv) throws LastErrorException {
        return EXECVP.invokeInt(new Object[] {file, argv});
    }

    /** Returns an error number instead of setting errno; {@code set} is a {@code sigset_t}. */
    static int pthread_sigmask(int how, byte[] set, byte[] oldset) {
        return PTHREAD_SIGMASK.invokeInt(new Object[] {how, set, oldset});
    }
}
