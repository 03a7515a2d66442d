package io.jnet.kernel.sys;

import com.sun.jna.LastErrorException;
import com.sun.jna.StringArray;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/** Checked wrappers around {@link LibC}: each failure becomes an {@link ErrnoException} naming the call. */
public final class Sys {
    public static final int AF_NETLINK = 16;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int SOL_SOCKET = 1;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_SNDBUFFORCE = 32;
    public static final int SO_RCVBUFFORCE = 33;
    public static final int SOL_NETLINK = 270;
    public static final int NETLINK_CAP_ACK = 10;
    public static final int NETLINK_EXT_ACK = 11;
    public static final int NETLINK_GET_STRICT_CHK = 12;
    public static final int NETLINK_ADD_MEMBERSHIP = 1;
    public static final int SO_RCVTIMEO = 20;
    public static final int MSG_TRUNC = 0x20;
    public static final int MSG_PEEK = 0x2;
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_DIRECTORY = 0x10000;
    public static final int O_CLOEXEC = 0x80000;
    /** A handle that names a file without opening it: never blocks (a FIFO) and has no side effect (a device). */
    public static final int O_PATH = 0x200000;
    public static final int O_NONBLOCK = 0x800;
    public static final int F_GETFL = 3;
    public static final int F_SETFL = 4;
    public static final int CLONE_NEWNET = 0x40000000;
    public static final long MS_BIND = 4096;
    public static final long MS_REC = 16384;
    public static final long MS_SHARED = 1 << 20;
    public static final int MNT_DETACH = 2;
    public static final int LOCK_EX = 2;
    public static final int LOCK_UN = 8;
    public static final int SIG_SETMASK = 2;
    /** sizeof(sigset_t) in glibc: 1024 signal bits. */
    private static final int SIGSET_BYTES = 128;
    /** sizeof(struct statfs) on 64-bit Linux is 120; a little more costs nothing. */
    private static final int STATFS_BYTES = 128;

    private Sys() {
    }

    public static Fd socket(int domain, int type, int protocol) throws ErrnoException {
        try {
            return new Fd(LibC.socket(domain, type | SOCK_CLOEXEC, protocol));
        } catch (LastErrorException e) {
            throw new ErrnoException("socket(" + domain + ", " + protocol + ")", e.getErrorCode());
        }
    }

    /** Binds a netlink socket to port id 0 (the kernel assigns one) and returns the assigned port id. */
    public static int bindNetlink(Fd fd, int groups) throws ErrnoException {
        byte[] addr = netlinkAddress(0, groups);
        try {
            LibC.bind(fd.get(), addr, addr.length);
            int[] len = {addr.length};
            LibC.getsockname(fd.get(), addr, len);
        } catch (LastErrorException e) {
            throw new ErrnoException("bind netlink socket", e.getErrorCode());
        }
        return (addr[4] & 0xff) | (addr[5] & 0xff) << 8 | (addr[6] & 0xff) << 16 | (addr[7] & 0xff) << 24;
    }

    private static byte[] netlinkAddress(int pid, int groups) {
        // struct sockaddr_nl { sa_family_t nl_family; unsigned short nl_pad; __u32 nl_pid; __u32 nl_groups; }
        ByteBuffer b = ByteBuffer.allocate(12).order(java.nio.ByteOrder.nativeOrder());
        b.putShort((short) AF_NETLINK).putShort((short) 0).putInt(pid).putInt(groups);
        return b.array();
    }

    public static void setsockopt(Fd fd, int level, int name, int value) throws ErrnoException {
        try {
            LibC.setsockopt(fd.get(), level, name, new int[] {value}, 4);
        } catch (LastErrorException e) {
            throw new ErrnoException("setsockopt(" + level + ", " + name + ")", e.getErrorCode());
        }
    }

    /** SO_RCVTIMEO: a blocking receive gives up with EAGAIN after {@code millis} (struct timeval, 64-bit). */
    public static void setReceiveTimeout(Fd fd, int millis) throws ErrnoException {
        int[] timeval = {millis / 1000, 0, (millis % 1000) * 1000, 0};
        try {
            LibC.setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, timeval, 16);
        } catch (LastErrorException e) {
            throw new ErrnoException("setsockopt(SO_RCVTIMEO)", e.getErrorCode());
        }
    }

    /** Sends the bytes between position and limit of a direct buffer. */
    public static void send(Fd fd, ByteBuffer direct) throws ErrnoException {
        try {
            long sent = LibC.send(fd.get(), direct, direct.remaining(), 0);
            if (sent != direct.remaining()) {
                throw new ErrnoException("netlink send: short write " + sent + " of " + direct.remaining(), Errno.EIO);
            }
        } catch (LastErrorException e) {
            throw new ErrnoException("netlink send", e.getErrorCode());
        }
    }

    /** Receives one datagram into a direct buffer; returns its full length (larger than the buffer if truncated). */
    public static int recv(Fd fd, ByteBuffer direct, int flags) throws ErrnoException {
        while (true) {
            try {
                return (int) LibC.recv(fd.get(), direct, direct.capacity(), flags | MSG_TRUNC);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR) {
                    throw new ErrnoException("netlink recv", e.getErrorCode());
                }
            }
        }
    }

    public static Fd open(String path, int flags) throws ErrnoException {
        try {
            return new Fd(LibC.open(path, flags | O_CLOEXEC));
        } catch (LastErrorException e) {
            throw new ErrnoException("open " + path, e.getErrorCode());
        }
    }

    /** {@code f_type} of the file system that holds {@code fd} (fstatfs(2); works on an O_PATH handle). */
    public static long fileSystemType(Fd fd, String what) throws ErrnoException {
        byte[] statfs = new byte[STATFS_BYTES];
        try {
            LibC.fstatfs(fd.get(), statfs);
        } catch (LastErrorException e) {
            throw new ErrnoException("fstatfs " + what, e.getErrorCode());
        }
        return ByteBuffer.wrap(statfs).order(ByteOrder.nativeOrder()).getLong(0);
    }

    /** An ioctl that takes no argument and returns a number, e.g. {@code NS_GET_NSTYPE}. */
    public static int ioctl(Fd fd, long request, String what) throws ErrnoException {
        try {
            return LibC.ioctl(fd.get(), request);
        } catch (LastErrorException e) {
            throw new ErrnoException("ioctl " + what, e.getErrorCode());
        }
    }

    public static void setns(Fd fd, int nstype, String what) throws ErrnoException {
        try {
            LibC.setns(fd.get(), nstype);
        } catch (LastErrorException e) {
            throw new ErrnoException("setns " + what, e.getErrorCode());
        }
    }

    public static void unshare(int flags) throws ErrnoException {
        try {
            LibC.unshare(flags);
        } catch (LastErrorException e) {
            throw new ErrnoException("unshare", e.getErrorCode());
        }
    }

    public static void bindMount(String source, String target) throws ErrnoException {
        try {
            LibC.mount(source, target, "none", MS_BIND, null);
        } catch (LastErrorException e) {
            throw new ErrnoException("bind mount " + source + " on " + target, e.getErrorCode());
        }
    }

    public static void unmount(String target, int flags) throws ErrnoException {
        try {
            LibC.umount2(target, flags);
        } catch (LastErrorException e) {
            throw new ErrnoException("unmount " + target, e.getErrorCode());
        }
    }

    public static int gettid() {
        return LibC.gettid();
    }

    /** mount(2) with no data; {@code what} names the operation in the error, e.g. "make /run/netns shared". */
    public static void mount(String source, String target, long flags, String what) throws ErrnoException {
        try {
            LibC.mount(source, target, "none", flags, null);
        } catch (LastErrorException e) {
            throw new ErrnoException(what, e.getErrorCode());
        }
    }

    /** Reads up to {@code max} bytes with one read(2) (what procfs and sysfs files return at once). */
    public static byte[] read(Fd fd, int max, String what) throws ErrnoException {
        byte[] buf = new byte[max];
        while (true) {
            try {
                int n = (int) LibC.read(fd.get(), buf, max);
                return Arrays.copyOf(buf, n);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR) {
                    throw new ErrnoException(what, e.getErrorCode());
                }
            }
        }
    }

    /** Writes all bytes with one write(2); a short write is an error (procfs and sysfs take a value at once). */
    public static void write(Fd fd, byte[] data, String what) throws ErrnoException {
        while (true) {
            try {
                long n = LibC.write(fd.get(), data, data.length);
                if (n != data.length) {
                    throw new ErrnoException(what + ": short write " + n + " of " + data.length, Errno.EIO);
                }
                return;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR) {
                    throw new ErrnoException(what, e.getErrorCode());
                }
            }
        }
    }

    public static void flock(Fd fd, int operation, String what) throws ErrnoException {
        try {
            LibC.flock(fd.get(), operation);
        } catch (LastErrorException e) {
            throw new ErrnoException(what, e.getErrorCode());
        }
    }

    /** renameat2's flag that swaps two existing paths. */
    private static final int RENAME_EXCHANGE = 2;

    /** Swaps two existing paths in one step (renameat2 RENAME_EXCHANGE): at every instant each name exists. */
    public static void exchange(String a, String b) throws ErrnoException {
        try {
            LibC.renameat2(a, b, RENAME_EXCHANGE);
        } catch (LastErrorException e) {
            throw new ErrnoException("exchange " + a + " and " + b, e.getErrorCode());
        }
    }

    /** Sets O_NONBLOCK on a descriptor another process handed us (systemd's listening socket). */
    public static void setNonBlocking(int fd, String what) throws ErrnoException {
        try {
            int flags = LibC.fcntl(fd, F_GETFL, 0);
            LibC.fcntl(fd, F_SETFL, flags | O_NONBLOCK);
        } catch (LastErrorException e) {
            throw new ErrnoException(what, e.getErrorCode());
        }
    }

    public static void unlink(String path) throws ErrnoException {
        try {
            LibC.unlink(path);
        } catch (LastErrorException e) {
            throw new ErrnoException("unlink " + path, e.getErrorCode());
        }
    }

    /**
     * Replaces the process with {@code argv[0]}, looked up in PATH as a shell does, with the same environment. The
     * calling thread's namespaces and an empty signal mask (the JVM blocks some signals in its threads) are what
     * the new program starts with. Returns only by throwing, when the program cannot be executed.
     */
    public static void execvp(List<String> argv) throws ErrnoException {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("execvp: empty argument list");
        }
        int error = LibC.pthread_sigmask(SIG_SETMASK, new byte[SIGSET_BYTES], null);
        if (error != 0) {
            throw new ErrnoException("clear the signal mask before exec", error);
        }
        try {
            LibC.execvp(argv.get(0), new StringArray(argv.toArray(new String[0])));
        } catch (LastErrorException e) {
            throw new ErrnoException("exec " + argv.get(0), e.getErrorCode());
        }
        throw new ErrnoException("exec " + argv.get(0) + " returned", Errno.EIO);
    }
}
