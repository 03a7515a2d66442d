package io.jnet.kernel.netns;

import io.jnet.kernel.netlink.NetlinkSocket;
import io.jnet.kernel.rtnl.Link;
import io.jnet.kernel.rtnl.Rtnetlink;
import io.jnet.kernel.sys.Errno;
import io.jnet.kernel.sys.ErrnoException;
import io.jnet.kernel.sys.Sys;
import io.jnet.kernel.testing.Sandbox;
import io.jnet.kernel.testing.SandboxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(SandboxExtension.class)
class NetNsKernelTest {

    @Test
    void createsAndDeletesUnderATemporaryRunDir() throws Exception {
        Path runDir = Files.createTempDirectory(Path.of("/run"), "jt-netns-");
        String name = "jt-new-" + random();
        long mine = NetNs.current().inode();
        try {
            try (NetNs created = NetNs.create(runDir, name)) {
                assertEquals(runDir.resolve(name).toString(), created.path());
                assertNotEquals(mine, created.inode(), "a new namespace");
                assertEquals(mine, NetNs.current().inode(), "the calling thread stayed where it was");
                assertTrue(mountPoints().contains(runDir.resolve(name).toString()), "the namespace is bind-mounted");
                assertTrue(mountPoints().contains(runDir.toString()), "the run dir became a mount point");
                try (Rtnetlink r = Rtnetlink.openIn(created)) {
                    assertEquals(List.of("lo"), r.links().stream().map(Link::name).toList(), "an empty namespace");
                }
                try (NetNs again = NetNs.open(runDir.resolve(name).toString())) {
                    assertEquals(created.inode(), again.inode(), "the file names the namespace");
                }
                ErrnoException taken = assertThrows(ErrnoException.class, () -> NetNs.create(runDir, name));
                assertEquals(Errno.EEXIST, taken.errno());
                assertTrue(taken.getMessage().contains(runDir.resolve(name).toString()), taken.getMessage());
            }
            assertTrue(NetNs.delete(runDir, name));
            assertFalse(Files.exists(runDir.resolve(name)));
            assertFalse(mountPoints().contains(runDir.resolve(name).toString()));
            assertFalse(NetNs.delete(runDir, name), "deleting again is a no-op");
        } finally {
            NetNs.delete(runDir, name);
            unmountQuietly(runDir.toString());
            Files.deleteIfExists(runDir);
        }
    }

    @Test
    void aNamespaceCreatedInRunNetnsIsSeenByIp() throws Exception {
        String name = "jt-ours-" + random();
        try {
            NetNs.create(NetNs.DEFAULT_RUN_DIR, name).close();
            assertTrue(ipNetnsList().contains(name), "ip netns list shows " + name);
            String links = Sandbox.run("ip", "-n", name, "-o", "link", "show").ok().stdout();
            assertTrue(links.contains(": lo:"), links);
            assertEquals(1, links.lines().count(), links);
            assertTrue(NetNs.delete(NetNs.DEFAULT_RUN_DIR, name));
            assertFalse(ipNetnsList().contains(name));
        } finally {
            NetNs.delete(NetNs.DEFAULT_RUN_DIR, name);
        }
    }

    @Test
    void callRunsOnAThreadInsideAndOpenSocketStaysInside(Sandbox sandbox) throws Exception {
        Sandbox.Ns ns = sandbox.namespace("call");
        long mine = NetNs.current().inode();
        try (NetNs netns = NetNs.open(ns.path())) {
            Thread caller = Thread.currentThread();
            long inside = netns.call(() -> {
                assertNotEquals(caller, Thread.currentThread());
                try (NetNs here = NetNs.current()) {
                    return here.inode();
                }
            });
            assertEquals(netns.inode(), inside);
            assertEquals(mine, NetNs.current().inode());

            try (Rtnetlink r = new Rtnetlink(netns.openSocket(NetlinkSocket.NETLINK_ROUTE))) {
                // the socket was opened inside; using it here, on the test thread, acts inside
                r.createLink(io.jnet.kernel.rtnl.LinkSpec.veth("in0", "in1"));
            }
            assertTrue(sandbox.in(ns, "ip", "link", "show", "in0").ok().stdout().contains("in0"));

            java.io.IOException failure = assertThrows(java.io.IOException.class,
                    () -> netns.run(() -> Sys.open("/nonexistent-jt", Sys.O_RDONLY)));
            assertTrue(failure.getMessage().contains("/nonexistent-jt"), failure.getMessage());
        }
    }

    @Test
    void theCallingThreadsOwnNamespaceRunsWorkInlineAnyOtherOnAThreadOfItsOwn() throws Exception {
        Thread caller = Thread.currentThread();
        try (NetNs self = NetNs.current(); NetNs same = NetNs.open("/proc/thread-self/ns/net")) {
            assertEquals(caller, self.call(Thread::currentThread), "no thread for the caller's own namespace");
            assertNotEquals(caller, same.call(Thread::currentThread), "opened by path: it may be any namespace");
            // another thread that is given the caller's handle does not run inline, and stays where it is
            java.util.concurrent.CompletableFuture<Thread> ran = new java.util.concurrent.CompletableFuture<>();
            Thread other = new Thread(() -> {
                try {
                    ran.complete(self.call(Thread::currentThread));
                } catch (Exception e) {
                    ran.completeExceptionally(e);
                }
            });
            other.start();
            other.join();
            assertNotEquals(other, ran.get());
            assertNotEquals(caller, ran.get());
        }
    }

    @Test
    void aThrowawayNamespaceLivesAsLongAsItsHandleAndIsOpenedByItsPath() throws Exception {
        long mine = NetNs.current().inode();
        String path;
        long inode;
        try (NetNs ns = NetNs.throwaway()) {
            path = ns.path();
            inode = ns.inode();
            assertTrue(path.matches("/proc/" + ProcessHandle.current().pid() + "/fd/\\d+"), path);
            assertNotEquals(mine, inode, "a new namespace");
            assertEquals(mine, NetNs.current().inode(), "the calling thread stayed where it was");
            try (NetNs again = NetNs.open(path); Rtnetlink r = Rtnetlink.openIn(again)) {
                assertEquals(inode, again.inode());
                assertEquals(List.of("lo"), r.links().stream().map(Link::name).toList(), "an empty namespace");
            }
        }
        // the fd is closed: the path names nothing, or (reused) something that is not that namespace
        try (NetNs reused = NetNs.open(path)) {
            assertNotEquals(inode, reused.inode());
        } catch (ErrnoException gone) {
            // ENOENT, or not a namespace
        }
    }

    @Test
    void attachNamesAnExistingNamespaceThatOutlivesItsOtherNames(Sandbox sandbox) throws Exception {
        Sandbox.Ns ns = sandbox.namespace("attach");
        Path runDir = Files.createTempDirectory(Path.of("/run"), "jt-netns-");
        String first = "jt-a-" + random();
        String second = "jt-b-" + random();
        try {
            long inode;
            try (NetNs original = NetNs.open(ns.path()); NetNs attached = NetNs.attach(runDir, first, ns.path())) {
                inode = original.inode();
                assertEquals(inode, attached.inode(), "the same namespace under a second name");
            }
            NetNs.attach(runDir, second, runDir.resolve(first).toString()).close();
            assertTrue(NetNs.isNamespace(runDir.resolve(first)));
            ErrnoException taken = assertThrows(ErrnoException.class, () -> NetNs.attach(runDir, first, ns.path()));
            assertEquals(Errno.EEXIST, taken.errno());
            ErrnoException missing = assertThrows(ErrnoException.class,
                    () -> NetNs.attach(runDir, "jt-c-" + random(), "/run/netns/jt-missing-" + random()));
            assertEquals(Errno.ENOENT, missing.errno());

            // dropping the original names leaves the namespace alive under the attached one
            sandbox.run("ip", "netns", "delete", ns.name()).ok();
            assertTrue(NetNs.delete(runDir, first));
            assertFalse(NetNs.isNamespace(runDir.resolve(first)));
            try (NetNs survivor = NetNs.open(runDir.resolve(second).toString())) {
                assertEquals(inode, survivor.inode());
            }
        } finally {
            NetNs.delete(runDir, first);
            NetNs.delete(runDir, second);
            unmountQuietly(runDir.toString());
            Files.deleteIfExists(runDir);
        }
    }

    @Test
    void isNamespaceTellsANamespaceFromAPlainFile(Sandbox sandbox) throws Exception {
        Sandbox.Ns ns = sandbox.namespace("isns");
        assertTrue(NetNs.isNamespace(Path.of(ns.path())));
        assertTrue(NetNs.isNamespace(Path.of("/proc/self/ns/net")));
        Path plain = Files.createTempFile("jt-plain-", "");
        try {
            assertFalse(NetNs.isNamespace(plain), "an empty file, as an unmount behind our back leaves");
        } finally {
            Files.delete(plain);
        }
        assertFalse(NetNs.isNamespace(Path.of("/run/netns/jt-missing-" + random())));
    }

    @Test
    void rejectsNamesThatAreNotPlainFileNames() {
        for (String bad : new String[] {"../x", "a/b", "", ".", "..", "-x", "a b"}) {
            assertThrows(IllegalArgumentException.class, () -> NetNs.create(Path.of("/run/jt-never"), bad), bad);
            assertThrows(IllegalArgumentException.class, () -> NetNs.delete(Path.of("/run/jt-never"), bad), bad);
        }
        assertFalse(Files.exists(Path.of("/run/jt-never")));
    }

    private static List<String> ipNetnsList() {
        return Sandbox.run("ip", "netns", "list").ok().stdout().lines().map(l -> l.split(" ")[0]).toList();
    }

    private static List<String> mountPoints() throws java.io.IOException {
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().map(l -> l.split(" ")[4]).toList();
    }

    private static void unmountQuietly(String target) {
        try {
            Sys.unmount(target, Sys.MNT_DETACH);
        } catch (ErrnoException notMounted) {
            // the test failed before the run dir became a mount point
        }
    }

    private static String random() {
        return HexFormat.of().toHexDigits((byte) ThreadLocalRandom.current().nextInt())
                + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
    }
}
