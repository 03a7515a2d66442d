package io.jnet.ipam;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Eight JVMs allocating on one network at once serialise on the network's file lock. */
class ProcessConcurrencyTest {

    @TempDir
    Path root;
    @TempDir
    Path out;

    @Test
    void eightProcessesNeverShareAnAddress() throws Exception {
        List<String> lines = run("10.20.0.0/22", 8, 50);
        Ipam ipam = Ipam.open(root);
        Set<String> addresses = new HashSet<>();
        for (String line : lines) {
            String[] f = line.split(" ");
            assertEquals("OK", f[0], line);
            assertTrue(addresses.add(f[2]), "duplicate " + f[2]);
            // every reported lease is in the store
            assertEquals(f[2], ipam.lease("net", f[1], "eth0").orElseThrow().ips().get(0).cidr());
        }
        assertEquals(400, addresses.size());
        assertEquals(400, ipam.leases("net").size());
    }

    @Test
    void theSurplusFailsCleanly() throws Exception {
        List<String> lines = run("10.21.0.0/24", 8, 50);    // 253 addresses for 400 requests
        Set<String> addresses = new HashSet<>();
        int failed = 0;
        for (String line : lines) {
            String[] f = line.split(" ", 4);
            if (f[0].equals("OK")) {
                assertTrue(addresses.add(f[2]), "duplicate " + f[2]);
            } else {
                assertEquals("EXHAUSTED", f[2], line);
                assertEquals("no free address in range set [10.21.0.0/24 10.21.0.1-10.21.0.254 gw 10.21.0.1] of "
                        + "network net", f[3]);
                failed++;
            }
        }
        assertEquals(253, addresses.size());
        assertEquals(147, failed);
        assertEquals(253, Ipam.open(root).leases("net").size());
    }

    private List<String> run(String subnet, int processes, int each) throws Exception {
        List<Jvms.Child> children = new ArrayList<>();
        for (int p = 0; p < processes; p++) {
            children.add(Jvms.start(out, IpamWorker.class, "add", root.toString(), "net", subnet, "p" + p,
                    String.valueOf(each)));
        }
        List<String> lines = new ArrayList<>();
        for (Jvms.Child child : children) {
            List<String> done = child.await(120);
            assertEquals(each, done.size(), done.toString());
            lines.addAll(done);
        }
        return lines;
    }
}
