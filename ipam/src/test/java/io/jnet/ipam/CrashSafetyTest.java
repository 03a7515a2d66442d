package io.jnet.ipam;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Child JVMs churn ADDs and DELs on one dual-stack network and are killed with SIGKILL at random instants, four at a
 * time, 100 kills in all. After every round the store must parse, hold every lease that was reported and not
 * released since, and nothing else except the one operation each child had in flight; at the end GC must leave
 * exactly the valid attachments and no leftovers.
 */
class CrashSafetyTest {

    static final int ROUNDS = 25;
    static final int CHILDREN = 4;
    static final int IDS = 12;
    static final String SUBNETS = "10.30.0.0/26,fd00:30::/64";    // 61 IPv4 addresses for 48 attachments

    @TempDir
    Path root;
    @TempDir
    Path out;

    @Test
    void killedAtRandomInstantsTheStoreStaysConsistent() throws Exception {
        Random random = new Random(42);
        Ipam ipam = Ipam.open(root);
        Map<Owner, String> reported = new HashMap<>();    // owner -> addresses, as the children reported them
        Set<Owner> unfinished = new HashSet<>();          // killed mid-operation and not completed since
        int operations = 0;
        int killedMidOperation = 0;
        for (int round = 0; round < ROUNDS; round++) {
            List<Jvms.Child> children = new ArrayList<>();
            for (int c = 0; c < CHILDREN; c++) {
                children.add(Jvms.start(out, IpamWorker.class, "churn", root.toString(), "net", SUBNETS, "w" + c,
                        String.valueOf(IDS), String.valueOf(random.nextLong())));
            }
            for (Jvms.Child child : children) {
                assertTrue(child.awaitReady(60), "child did not start: " + child.lines());
            }
            Set<Owner> inFlight = new HashSet<>();
            for (Jvms.Child child : children) {
                Thread.sleep(random.nextInt(120));
                Map<String, String> pending = new HashMap<>();
                for (String line : child.kill()) {
                    String[] f = line.split(" ", 3);
                    switch (f[0]) {
                        case "READY" -> { }
                        case "START" -> pending.put(f[2], f[1]);
                        case "ADD" -> {
                            reported.put(new Owner(f[1], "eth0"), f[2]);
                            unfinished.remove(new Owner(f[1], "eth0"));
                            pending.remove(f[1]);
                            operations++;
                        }
                        case "DEL" -> {
                            reported.remove(new Owner(f[1], "eth0"));
                            unfinished.remove(new Owner(f[1], "eth0"));
                            pending.remove(f[1]);
                            operations++;
                        }
                        case "FULL" -> pending.remove(f[1]);
                        default -> throw new AssertionError("unexpected line " + line);
                    }
                }
                assertTrue(pending.size() <= 1, pending.toString());
                pending.keySet().forEach(id -> inFlight.add(new Owner(id, "eth0")));
                pending.keySet().forEach(id -> unfinished.add(new Owner(id, "eth0")));
                killedMidOperation += pending.size();
            }
            verifyFiles(root.resolve("ipam/net"), ipam, unfinished);
            verify(ipam, reported, inFlight);
        }
        assertTrue(operations > ROUNDS, "the children completed only " + operations + " operations");
        assertTrue(killedMidOperation > ROUNDS, "only " + killedMidOperation + " kills hit an operation");

        GcResult gc = ipam.gc("net", reported.keySet());
        assertEquals(List.of(), gc.released(), "GC released an attachment that was never reported as added");
        System.err.println("crash test: " + operations + " operations reported, " + killedMidOperation + " of "
                + ROUNDS * CHILDREN + " kills during an operation, GC removed " + gc.leftoversRemoved() + " leftovers");
        Path net = root.resolve("ipam/net");
        Set<String> owners = new TreeSet<>();
        Set<String> leases = new TreeSet<>();
        reported.forEach((owner, addresses) -> {
            owners.add(owner.fileName());
            for (String cidr : addresses.split(" ")) {
                leases.add(cidr.substring(0, cidr.indexOf('/')));
            }
        });
        assertEquals(owners, names(net.resolve("owners")));
        assertEquals(leases, names(net.resolve("leases")));
        assertEquals(Set.of(), names(net.resolve("index")));
    }

    /**
     * Every reported lease is in the store as reported; every other committed lease belongs to an operation that
     * was in flight (it is adopted, as a runtime would learn of it by a repeated ADD); no address is held twice.
     */
    private static void verify(Ipam ipam, Map<Owner, String> reported, Set<Owner> inFlight) throws IpamException {
        Map<Owner, String> stored = new HashMap<>();
        Set<String> seen = new HashSet<>();
        for (Lease lease : ipam.leases("net")) {
            String addresses = IpamWorker.addresses(lease);
            stored.put(lease.owner(), addresses);
            for (LeasedIp ip : lease.ips()) {
                assertTrue(seen.add(ip.cidr()), "address " + ip.cidr() + " is held twice");
            }
        }
        for (Map.Entry<Owner, String> e : reported.entrySet()) {
            if (!inFlight.contains(e.getKey())) {
                assertEquals(e.getValue(), stored.get(e.getKey()), "reported lease of " + e.getKey() + " was lost");
            }
        }
        for (Map.Entry<Owner, String> e : stored.entrySet()) {
            if (!reported.containsKey(e.getKey())) {
                assertTrue(inFlight.contains(e.getKey()), "lease of " + e.getKey() + " was never reported");
            }
        }
        for (Owner owner : inFlight) {
            if (stored.containsKey(owner)) {
                reported.put(owner, stored.get(owner));
            } else {
                reported.remove(owner);
            }
            assertEquals(reported.containsKey(owner), ipam.lease("net", owner.containerId(), "eth0").isPresent());
        }
    }

    /**
     * Every file parses: renames are atomic, so no record is ever torn. A record that is not committed, and a lease
     * file that no committed record names, may only belong to an owner whose operation was killed and who has not
     * completed one since (its next ADD or DEL cleans them up; GC cleans the rest).
     */
    private static void verifyFiles(Path net, Ipam ipam, Set<Owner> unfinished) throws Exception {
        Map<String, Owner> committedAddresses = new HashMap<>();
        for (String name : names(net.resolve("owners"))) {
            if (name.startsWith(".tmp-")) {
                continue;
            }
            Owner owner = Owner.fromFileName(name);
            Lease lease = LeaseCodec.decodeOwnerRecord(Files.readAllBytes(net.resolve("owners").resolve(name)));
            assertEquals(owner, lease.owner(), name);
            if (ipam.lease("net", owner.containerId(), owner.ifname()).isPresent()) {
                lease.ips().forEach(ip -> committedAddresses.put(ip.cidr().substring(0, ip.cidr().indexOf('/')), owner));
            } else {
                assertTrue(unfinished.contains(owner), "unfinished record of " + owner + ", never killed mid-operation");
            }
        }
        for (String name : names(net.resolve("leases"))) {
            if (name.startsWith(".tmp-")) {
                continue;
            }
            Owner holder = LeaseCodec.decodeLeaseFile(Files.readAllBytes(net.resolve("leases").resolve(name)));
            assertTrue(holder != null, "lease file " + name + " does not parse");
            if (!holder.equals(committedAddresses.get(name))) {
                assertTrue(unfinished.contains(holder), "lease file " + name + " of " + holder + " outside a lease");
            }
        }
    }

    private static Set<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return new TreeSet<>(s.map(p -> p.getFileName().toString()).toList());
        }
    }
}
