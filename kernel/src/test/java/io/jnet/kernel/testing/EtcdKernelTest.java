package io.jnet.kernel.testing;

import io.jnet.kernel.netns.NetNs;
import io.jnet.kernel.rtnl.Address;
import io.jnet.kernel.rtnl.LinkSpec;
import io.jnet.kernel.rtnl.Rtnetlink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The etcd fixture: it serves clients in other namespaces over a veth, and stops and cleans up on every path. */
@ExtendWith(SandboxExtension.class)
class EtcdKernelTest {

    @Test
    void servesAnotherNamespaceAndLeavesNothingWhenClosed(Sandbox sandbox) throws Exception {
        Sandbox.Ns server = sandbox.namespace("etcd");
        Sandbox.Ns client = sandbox.namespace("etcc");
        link(server, "198.18.5.1", client, "198.18.5.2");

        Etcd etcd = Etcd.start(sandbox, server, "198.18.5.1");
        assertEquals("http://198.18.5.1:2379", etcd.endpoint());
        assertTrue(Files.isSameFile(Path.of("/proc/" + etcd.pid() + "/ns/net"), Path.of(server.path())));
        assertFalse(Files.isSameFile(Path.of("/proc/" + etcd.pid() + "/ns/net"), Path.of("/proc/self/ns/net")),
                "never in the machine's namespace");
        assertTrue(sandbox.in(server, "ss", "-ltnH").ok().stdout().contains("198.18.5.1:2379"));

        etcd.etcdctl(client, "put", "/jnet/v1/test", "hello").ok();
        assertEquals("hello", etcd.etcdctl(client, "get", "/jnet/v1/test", "--print-value-only").ok().stdout().trim());

        etcd.close();
        assertFalse(ProcessHandle.of(etcd.pid()).map(ProcessHandle::isAlive).orElse(false), "stopped");
        assertFalse(Files.exists(etcd.directory()), "its data directory is gone");
        assertNotEquals(0, etcd.etcdctl(client, "--command-timeout", "1s", "get", "/jnet/v1/test").exit(),
                "nothing serves any more");
        assertEquals("", sandbox.in(server, "ss", "-ltnH").ok().stdout().trim());
        etcd.close(); // a second close does nothing
    }

    @Test
    void servesOnAnIpv6Address(Sandbox sandbox) throws Exception {
        Sandbox.Ns server = sandbox.namespace("etcd");
        Sandbox.Ns client = sandbox.namespace("etcc");
        link(server, "fd00:198:18:5::1", client, "fd00:198:18:5::2");
        try (Etcd etcd = Etcd.start(sandbox, server, "fd00:198:18:5::1")) {
            assertEquals("http://[fd00:198:18:5::1]:2379", etcd.endpoint());
            etcd.etcdctl(client, "put", "k", "v6").ok();
            assertEquals("v6", etcd.etcdctl(client, "get", "k", "--print-value-only").ok().stdout().trim());
        }
    }

    @Test
    void theSandboxStopsAnEtcdThatTheTestLeftRunning() throws Exception {
        Sandbox sandbox = new Sandbox();
        Etcd etcd;
        Sandbox.Ns server;
        try {
            server = sandbox.namespace("etcd");
            link(server, "198.18.6.1", sandbox.namespace("etcc"), "198.18.6.2");
            etcd = Etcd.start(sandbox, server, "198.18.6.1");
            assertTrue(ProcessHandle.of(etcd.pid()).orElseThrow().isAlive());
        } finally {
            sandbox.cleanUp(); // what SandboxExtension does after a failed test, too
        }
        assertFalse(ProcessHandle.of(etcd.pid()).map(ProcessHandle::isAlive).orElse(false), "stopped by the sandbox");
        assertFalse(Files.exists(etcd.directory()));
        assertFalse(Files.exists(Path.of(server.path())), "and its namespace deleted");
    }

    @Test
    void anEtcdThatCannotServeIsReportedWithItsLogAndCleanedUp(Sandbox sandbox) throws Exception {
        Sandbox.Ns server = sandbox.namespace("etcd");
        link(server, "198.18.7.1", sandbox.namespace("etcc"), "198.18.7.2");
        Etcd first = Etcd.start(sandbox, server, "198.18.7.1");
        Set<Path> before = etcdDirectories();

        // the ports are taken: the second etcd exits, and start says why
        AssertionError failure = assertThrows(AssertionError.class, () -> Etcd.start(sandbox, server, "198.18.7.1"));
        assertTrue(failure.getMessage().contains("before serving"), failure.getMessage());
        assertTrue(failure.getMessage().contains("address already in use"), "with its log: " + failure.getMessage());
        assertEquals(before, etcdDirectories(), "its temporary directory is gone");
        assertEquals(0, first.etcdctl(server, "endpoint", "health").exit(), "the first one still serves");

        assertThrows(IllegalArgumentException.class, () -> Etcd.start(sandbox, new Sandbox.Ns("root"), "127.0.0.1"),
                "only sandbox namespaces");
    }

    /** A veth between two namespaces, addressed (/24 or /64, without duplicate address detection) and up. */
    private static void link(Sandbox.Ns a, String addressA, Sandbox.Ns b, String addressB) throws IOException {
        try (NetNs na = NetNs.open(a.path()); NetNs nb = NetNs.open(b.path());
             Rtnetlink ra = Rtnetlink.openIn(na); Rtnetlink rb = Rtnetlink.openIn(nb)) {
            ra.createLink(LinkSpec.veth("e0", "e0").withPeerNetns(nb));
            up(ra, addressA);
            up(rb, addressB);
        }
    }

    private static void up(Rtnetlink r, String address) throws IOException {
        int index = r.link("e0").orElseThrow().index();
        InetAddress ip = InetAddress.getByName(address);
        r.addAddress(ip instanceof Inet6Address ? Address.of(index, ip, 64).withFlags(Address.IFA_F_NODAD)
                : Address.of(index, ip, 24));
        r.setUp(index, true);
        r.setUp(r.link("lo").orElseThrow().index(), true);
    }

    private static Set<Path> etcdDirectories() throws IOException {
        try (Stream<Path> list = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return list.filter(p -> p.getFileName().toString().startsWith("jt-etcd-")).collect(Collectors.toSet());
        }
    }
}
