package io.jnet.ipam;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The store on disk: layout, modes, idempotence, leftovers of killed processes, the index as a hint, and GC. */
class StoreTest {

    @TempDir
    Path tmp;
    Path root;
    Ipam ipam;
    IpamConfig config;

    @BeforeEach
    void open() throws IpamException {
        root = tmp.resolve("root");
        ipam = Ipam.open(root);
        config = Configs.config("10.0.0.0/24", "fd00:1::/64");
    }

    @Test
    void layoutModesAndContents() throws Exception {
        ipam.allocate("net", config, "c1", "eth0", List.of());
        Path net = root.resolve("ipam/net");
        assertEquals(Set.of("lock", "owners", "leases", "index"), names(net));
        assertEquals(Set.of("c1@eth0"), names(net.resolve("owners")));
        assertEquals(Set.of("10.0.0.2", "fd00:1::2"), names(net.resolve("leases")));
        assertEquals(2, names(net.resolve("index")).size());
        assertEquals("c1\neth0\n", Files.readString(net.resolve("leases/10.0.0.2")));
        assertEquals("""
                jnet-ipam-lease 1
                container c1
                ifname eth0
                ip 10.0.0.2/24 10.0.0.1
                ip fd00:1::2/64 fd00:1::1
                end
                """, Files.readString(net.resolve("owners/c1@eth0")));
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.toList()) {
                String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
                assertEquals(Files.isDirectory(p) ? "rwx------" : "rw-------", mode, p.toString());
            }
        }
    }

    @Test
    void repeatedAddReturnsTheSameLease() throws Exception {
        Lease first = ipam.allocate("net", config, "c1", "eth0", List.of());
        assertEquals(first, ipam.allocate("net", config, "c1", "eth0", List.of()));
        assertEquals(first, ipam.allocate("net", config, "c1", "eth0", List.of(ip("10.0.0.2"))));
        assertEquals(Optional.of(first), ipam.lease("net", "c1", "eth0"));
        // another interface of the same container is another attachment
        assertEquals("[10.0.0.3/24 gw 10.0.0.1, fd00:1::3/64 gw fd00:1::1]",
                ipam.allocate("net", config, "c1", "eth1", List.of()).ips().toString());

        IpamException other = assertThrows(IpamException.class,
                () -> ipam.allocate("net", config, "c1", "eth0", List.of(ip("10.0.0.9"))));
        assertEquals(IpamException.Reason.INVALID_CONFIG, other.reason());
        assertEquals("container c1 ifname eth0 already holds [10.0.0.2/24 gw 10.0.0.1, fd00:1::2/64 gw fd00:1::1] in "
                + "network net, which does not fit this config or the requested addresses [10.0.0.9]; DEL it first",
                other.getMessage());
        IpamException moved = assertThrows(IpamException.class,
                () -> ipam.allocate("net", Configs.config("10.0.5.0/24"), "c1", "eth0", List.of()));
        assertEquals(IpamException.Reason.INVALID_CONFIG, moved.reason());
        assertEquals(Optional.of(first), ipam.lease("net", "c1", "eth0"));
    }

    @Test
    void releaseIsIdempotentAndWritesNothingForUnknownNetworks() throws Exception {
        ipam.allocate("net", config, "c1", "eth0", List.of());
        assertTrue(ipam.release("net", "c1", "eth0"));
        assertFalse(ipam.release("net", "c1", "eth0"));
        assertEquals(Optional.empty(), ipam.lease("net", "c1", "eth0"));
        assertEquals(Set.of(), names(root.resolve("ipam/net/owners")));
        assertEquals(Set.of(), names(root.resolve("ipam/net/leases")));

        assertFalse(ipam.release("other", "c1", "eth0"));
        assertEquals(Optional.empty(), ipam.lease("other", "c1", "eth0"));
        assertEquals(new GcResult(List.of(), 0), ipam.gc("other", List.of()));
        assertTrue(ipam.hasFree("other", config));
        assertFalse(Files.exists(root.resolve("ipam/other")));
    }

    @Test
    void hostileNamesAreRejectedBeforeAnythingIsWritten() {
        for (String id : new String[] {"", "../x", "a/b", ".hidden", "-x", "a b", "a@b", "x".repeat(240)}) {
            IpamException e = assertThrows(IpamException.class, () -> ipam.allocate("net", config, id, "eth0", List.of()));
            assertEquals(IpamException.Reason.INVALID_ARGUMENT, e.reason(), id);
            assertThrows(IpamException.class, () -> ipam.release("net", id, "eth0"));
        }
        for (String ifname : new String[] {"", ".", "..", "a/b", "a:b", "a b", "x".repeat(16), "é".repeat(8)}) {
            IpamException e = assertThrows(IpamException.class, () -> ipam.allocate("net", config, "c1", ifname, List.of()));
            assertEquals(IpamException.Reason.INVALID_ARGUMENT, e.reason(), ifname);
        }
        for (String network : new String[] {"", "..", "../etc", "a/b", "net\n"}) {
            IpamException e = assertThrows(IpamException.class, () -> ipam.allocate(network, config, "c1", "eth0", List.of()));
            assertEquals(IpamException.Reason.INVALID_CONFIG, e.reason(), network);
            assertThrows(IpamException.class, () -> ipam.gc(network, List.of()));
        }
        assertThrows(IpamException.class, () -> ipam.allocate("net", config, "c1", "eth0", List.of(ip("10.9.9.9"))));
        assertFalse(Files.exists(root));
        assertEquals("missing container id", assertThrows(IpamException.class,
                () -> ipam.allocate("net", config, "", "eth0", List.of())).getMessage());
        assertEquals("invalid container id \"../x\": it must match ^[a-zA-Z0-9][a-zA-Z0-9_.\\-]*$",
                assertThrows(IpamException.class, () -> ipam.allocate("net", config, "../x", "eth0", List.of())).getMessage());
    }

    @Test
    void aDataDirThatIsAFileIsInvalidConfig() throws Exception {
        Path file = tmp.resolve("file");
        Files.writeString(file, "x");
        IpamException e = assertThrows(IpamException.class, () -> Ipam.open(file));
        assertEquals(IpamException.Reason.INVALID_CONFIG, e.reason());
        assertEquals("data directory " + file + " exists and is not a directory", e.getMessage());
        Path later = tmp.resolve("later");
        Ipam opened = Ipam.open(later);
        Files.writeString(later, "x");
        assertEquals(IpamException.Reason.INVALID_CONFIG, assertThrows(IpamException.class,
                () -> opened.allocate("net", config, "c1", "eth0", List.of())).reason());
        assertEquals("x", Files.readString(later));
    }

    @Test
    void rootComesFromDataDirThenEnvironmentThenDefault() throws Exception {
        IpamConfig withDir = IpamConfig.parse(Configs.with(Configs.subnets("10.0.0.0/24"), "dataDir", "/srv/x"));
        assertEquals(Path.of("/srv/x"), Ipam.root(withDir, Map.of("JNET_ROOT", "/env")));
        assertEquals(Path.of("/env"), Ipam.root(config, Map.of("JNET_ROOT", "/env")));
        assertEquals(Path.of("/var/lib/jnet"), Ipam.root(config, Map.of()));
        assertEquals(Path.of("/var/lib/jnet"), Ipam.root(config, Map.of("JNET_ROOT", "")));
    }

    @Test
    void anOwnerRecordWithoutItsLeaseFilesIsNotALease() throws Exception {
        Lease lease = ipam.allocate("net", config, "c1", "eth0", List.of());
        Path net = root.resolve("ipam/net");
        // a killed ADD renamed the owner record and only one of the two lease files
        Files.delete(net.resolve("leases/fd00:1::2"));
        assertEquals(Optional.empty(), ipam.lease("net", "c1", "eth0"));
        assertEquals(List.of(), ipam.leases("net"));
        // the repeated ADD cleans up and allocates anew (round-robin moves on)
        Lease again = ipam.allocate("net", config, "c1", "eth0", List.of());
        assertEquals("[10.0.0.3/24 gw 10.0.0.1, fd00:1::3/64 gw fd00:1::1]", again.ips().toString());
        assertFalse(Files.exists(net.resolve("leases/10.0.0.2")));
        assertEquals(Optional.of(again), ipam.lease("net", "c1", "eth0"));
        assertEquals(lease.owner(), again.owner());
    }

    @Test
    void aDelOfAnUnfinishedAddCleansItUp() throws Exception {
        ipam.allocate("net", config, "c1", "eth0", List.of());
        Path net = root.resolve("ipam/net");
        Files.delete(net.resolve("leases/10.0.0.2"));
        assertTrue(ipam.release("net", "c1", "eth0"));
        assertEquals(Set.of(), names(net.resolve("owners")));
        assertEquals(Set.of(), names(net.resolve("leases")));
    }

    @Test
    void aDamagedOwnerRecordIsNotALeaseButCanBeReleased() throws Exception {
        ipam.allocate("net", config, "c1", "eth0", List.of());
        Path record = root.resolve("ipam/net/owners/c1@eth0");
        String text = Files.readString(record);
        Files.writeString(record, text.substring(0, text.indexOf("end")));
        assertEquals(Optional.empty(), ipam.lease("net", "c1", "eth0"));
        assertTrue(ipam.release("net", "c1", "eth0"));
        assertEquals(Set.of(), names(root.resolve("ipam/net/leases")));
    }

    @Test
    void releaseNeverRemovesAnotherHoldersLeaseFile() throws Exception {
        ipam.allocate("net", config, "c1", "eth0", List.of());
        Path net = root.resolve("ipam/net");
        // c1's record names 10.0.0.2, but the lease file now names c2 (c1's DEL was killed, c2 took the address)
        Files.writeString(net.resolve("leases/10.0.0.2"), "c2\neth0\n");
        ipam.release("net", "c1", "eth0");
        assertEquals("c2\neth0\n", Files.readString(net.resolve("leases/10.0.0.2")));
        assertFalse(Files.exists(net.resolve("leases/fd00:1::2")));
    }

    @Test
    void gcKeepsValidAttachmentsAndCleansLeftovers() throws Exception {
        for (String id : List.of("a", "b", "c", "d")) {
            ipam.allocate("net", config, id, "eth0", List.of());
        }
        Path net = root.resolve("ipam/net");
        Files.writeString(net.resolve("owners/.tmp-e@eth0"), "half");
        Files.writeString(net.resolve("leases/.tmp-10.0.0.77"), "half");
        Files.writeString(net.resolve("leases/10.0.0.99"), "zz\neth0\n");     // a lease file without an owner
        Files.delete(net.resolve("leases/fd00:1::5"));                        // d's record lost a lease file

        GcResult result = ipam.gc("net", List.of(new Owner("a", "eth0"), new Owner("d", "eth0"),
                new Owner("ghost", "eth0")));
        assertEquals(new TreeSet<>(List.of(new Owner("b", "eth0").toString(), new Owner("c", "eth0").toString())),
                new TreeSet<>(result.released().stream().map(Owner::toString).toList()));
        assertEquals(4, result.leftoversRemoved());     // two temp files, the orphan lease file, d's record
        assertEquals(Set.of("a@eth0"), names(net.resolve("owners")));
        assertEquals(Set.of("10.0.0.2", "fd00:1::2"), names(net.resolve("leases")));
        assertEquals(Set.of(), names(net.resolve("index")));
        // the next allocation rebuilds the index from the lease files
        assertEquals("[10.0.0.3/24 gw 10.0.0.1, fd00:1::3/64 gw fd00:1::1]",
                ipam.allocate("net", config, "e", "eth0", List.of()).ips().toString());
    }

    @Test
    void theIndexIsOnlyAHint() throws Exception {
        IpamConfig v4 = Configs.config("10.0.0.0/28");   // .2-.14 to hand out
        for (int i = 0; i < 6; i++) {
            ipam.allocate("net", v4, "c" + i, "eth0", List.of());     // .2-.7
        }
        Path indexDir = root.resolve("ipam/net/index");
        Path index = indexDir.resolve(names(indexDir).iterator().next());
        byte[] good = Files.readAllBytes(index);

        // every bit clear and the cursor lost: allocation checks the lease files and still finds .8
        byte[] cleared = good.clone();
        java.util.Arrays.fill(cleared, cleared.length - 8, cleared.length, (byte) 0);
        java.util.Arrays.fill(cleared, cleared.length - 32, cleared.length - 8, (byte) 0);
        Files.write(index, cleared);
        assertEquals("10.0.0.8", address(ipam.allocate("net", v4, "x1", "eth0", List.of())));

        // every bit set: the bitmap claims the set is full, a rebuild from the lease files finds the truth
        byte[] full = Files.readAllBytes(index);
        java.util.Arrays.fill(full, full.length - 8, full.length, (byte) 0xff);
        Files.write(index, full);
        assertEquals("10.0.0.9", address(ipam.allocate("net", v4, "x2", "eth0", List.of())));

        // a truncated or foreign file is replaced
        Files.write(index, new byte[] {1, 2, 3});
        assertEquals("10.0.0.10", address(ipam.allocate("net", v4, "x3", "eth0", List.of())));
        Files.delete(index);
        Set<String> all = new HashSet<>();
        for (Lease l : ipam.leases("net")) {
            assertTrue(all.add(address(l)), "duplicate " + address(l));
        }
        while (true) {
            try {
                Lease l = ipam.allocate("net", v4, "y" + all.size(), "eth0", List.of());
                assertTrue(all.add(address(l)), "duplicate " + address(l));
            } catch (IpamException e) {
                assertEquals(IpamException.Reason.EXHAUSTED, e.reason());
                break;
            }
        }
        assertEquals(13, all.size());
    }

    @Test
    void releaseClearsBitsSoTheFreedAddressComesRoundAgain() throws Exception {
        IpamConfig v4 = Configs.config("10.0.0.0/29");   // .2-.6
        for (int i = 0; i < 5; i++) {
            ipam.allocate("net", v4, "c" + i, "eth0", List.of());
        }
        ipam.release("net", "c2", "eth0");    // .4
        Path indexDir = root.resolve("ipam/net/index");
        byte[] index = Files.readAllBytes(indexDir.resolve(names(indexDir).iterator().next()));
        long bits = java.nio.ByteBuffer.wrap(index, index.length - 8, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        // bits: offset 0 = .1 (gateway), .2, .3, .5, .6 taken; .4 (offset 3) free; offsets 6.. past the end
        assertEquals(~(1L << 3), bits);
        assertEquals("10.0.0.4", address(ipam.allocate("net", v4, "n", "eth0", List.of())));
    }

    @Test
    void threadsOfOneJvmSerialise() throws Exception {
        IpamConfig v4 = Configs.config("10.2.0.0/22");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<List<String>>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    Ipam own = Ipam.open(root, Durability.NO_FSYNC);   // separate instances share the lock too
                    List<String> mine = new ArrayList<>();
                    for (int i = 0; i < 50; i++) {
                        mine.add(address(own.allocate("net", v4, "t" + thread + "-" + i, "eth0", List.of())));
                    }
                    return mine;
                }));
            }
            List<String> all = new ArrayList<>();
            for (Future<List<String>> f : results) {
                all.addAll(f.get());
            }
            assertEquals(400, new HashSet<>(all).size());
            assertEquals(400, ipam.leases("net").size());
        } finally {
            pool.shutdownNow();
        }
    }

    static InetAddress ip(String text) {
        return Ip.parse(text).toInet();
    }

    static String address(Lease lease) {
        return Ip.of(lease.ips().get(0).address()).toString();
    }

    static Set<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return new HashSet<>(s.map(p -> p.getFileName().toString()).toList());
        }
    }
}
