package io.jnet.kernel.sysctl;

import io.jnet.kernel.netns.NetNs;
import io.jnet.kernel.rtnl.LinkSpec;
import io.jnet.kernel.rtnl.Rtnetlink;
import io.jnet.kernel.sys.Errno;
import io.jnet.kernel.sys.ErrnoException;
import io.jnet.kernel.sys.Fd;
import io.jnet.kernel.sys.Sys;
import io.jnet.kernel.testing.Sandbox;
import io.jnet.kernel.testing.SandboxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(SandboxExtension.class)
class SysctlKernelTest {

    private static final String IP_FORWARD = "/proc/sys/net/ipv4/ip_forward";

    @Test
    void writesIpForwardInTheNamespaceOnly(Sandbox sandbox) throws Exception {
        Sandbox.Ns ns = sandbox.namespace("sysctl");
        String machine = Files.readString(Path.of(IP_FORWARD)).trim();
        try (NetNs netns = NetNs.open(ns.path())) {
            assertEquals("0", Sysctl.read(netns, "net.ipv4.ip_forward"), "a new namespace does not forward");
            Sysctl.write(netns, "net.ipv4.ip_forward", "1");
            assertEquals("1", Sysctl.read(netns, "net.ipv4.ip_forward"));
            assertEquals("1", sandbox.in(ns, "sysctl", "-n", "net.ipv4.ip_forward").ok().stdout().trim());
            assertEquals("1", sandbox.in(ns, "cat", IP_FORWARD).ok().stdout().trim());
        }
        assertEquals(machine, Files.readString(Path.of(IP_FORWARD)).trim(), "the machine's own value is untouched");
    }

    @Test
    void perInterfaceKeys(Sandbox sandbox) throws Exception {
        Sandbox.Ns ns = sandbox.namespace("sysctl");
        try (NetNs netns = NetNs.open(ns.path()); Rtnetlink r = Rtnetlink.openIn(netns)) {
            r.createLink(LinkSpec.veth("veth1a2b", "eth0"));
            Sysctl.write(netns, "net.ipv4.conf.veth1a2b.route_localnet", "1");
            Sysctl.write(netns, Sysctl.key("net", "ipv6", "conf", "eth0", "accept_dad"), "0");
            Sysctl.write(netns, "net.ipv6.conf.all.disable_ipv6", "0");
            assertEquals("1", Sysctl.read(netns, "net.ipv4.conf.veth1a2b.route_localnet"));
            assertEquals("1", sandbox.in(ns, "sysctl", "-n", "net.ipv4.conf.veth1a2b.route_localnet").ok().stdout().trim());
            assertEquals("0", sandbox.in(ns, "cat", "/proc/sys/net/ipv6/conf/eth0/accept_dad").ok().stdout().trim());
            assertEquals("0", Sysctl.read(netns, "net.ipv6.conf.all.disable_ipv6"));
        }
    }

    @Test
    void refusalsNameTheKeyTheNamespaceAndTheErrno(Sandbox sandbox) throws Exception {
        Sandbox.Ns ns = sandbox.namespace("sysctl");
        try (NetNs netns = NetNs.open(ns.path())) {
            ErrnoException missing = assertThrows(ErrnoException.class,
                    () -> Sysctl.read(netns, "net.ipv4.conf.nosuch0.forwarding"));
            assertEquals(Errno.ENOENT, missing.errno());
            assertTrue(missing.getMessage().startsWith("read sysctl net.ipv4.conf.nosuch0.forwarding in netns "
                    + ns.path()), missing.getMessage());
            ErrnoException invalid = assertThrows(ErrnoException.class,
                    () -> Sysctl.write(netns, "net.ipv4.ip_forward", "banana"));
            assertEquals(Errno.EINVAL, invalid.errno());
            assertTrue(invalid.getMessage().contains("net.ipv4.ip_forward=banana"), invalid.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Sysctl.write(netns, "kernel.hostname", "x"));
        }
    }

    /**
     * /proc/sys/net shows the namespace of the thread that opened the file, at open time: a descriptor opened in A
     * keeps showing A wherever it is read, while opening the path again elsewhere shows the opener's namespace.
     */
    @Test
    void theOpenersNamespaceDecidesWhatProcSysNetShows(Sandbox sandbox) throws Exception {
        Sandbox.Ns a = sandbox.namespace("opener");
        Sandbox.Ns b = sandbox.namespace("reader");
        try (NetNs nsA = NetNs.open(a.path()); NetNs nsB = NetNs.open(b.path())) {
            Sysctl.write(nsA, "net.ipv4.ip_forward", "1");
            assertEquals("0", Sysctl.read(nsB, "net.ipv4.ip_forward"));
            try (Fd openedInA = nsA.call(() -> Sys.open(IP_FORWARD, Sys.O_RDONLY))) {
                assertEquals("1", nsB.call(() -> readFd(openedInA)), "read in B, opened in A: A's value");
                assertEquals("0", nsB.call(() -> Files.readString(Path.of(IP_FORWARD)).trim()), "opened in B: B's");
            }
            try (Fd openedInB = nsB.call(() -> Sys.open(IP_FORWARD, Sys.O_RDONLY))) {
                assertEquals("0", nsA.call(() -> readFd(openedInB)), "read in A, opened in B: B's value");
            }
        }
    }

    private static String readFd(Fd fd) throws ErrnoException {
        return new String(Sys.read(fd, 64, "read ip_forward"), StandardCharsets.US_ASCII).trim();
    }
}
