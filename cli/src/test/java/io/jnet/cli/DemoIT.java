package io.jnet.cli;

import io.jnet.kernel.sys.ErrnoException;
import io.jnet.kernel.sys.Sys;
import io.jnet.kernel.testing.Sandbox;
import io.jnet.kernel.testing.SandboxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's main job: jnet demo proves every mode it knows, and leaves nothing behind. */
@ExtendWith(SandboxExtension.class)
class DemoIT {

    /** The names of the links in the machine's own namespace, read by ip(8). */
    private static List<String> ownLinks() {
        return Sandbox.run("ip", "-o", "link", "show").ok().stdout().lines().map(l -> l.split(": ")[1]).toList();
    }

    @Test
    void provesEveryModeAndCleansUp() throws Exception {
        Path runDir = Files.createTempDirectory("jt-demo-");
        Path demo = runDir.resolve("demo");
        try {
            List<String> linksBefore = ownLinks();
            String tablesBefore = Sandbox.run("nft", "list", "tables").ok().stdout();
            Sandbox.Run run = Sandbox.run(Launchers.bin("jnet").toString(), "--run-dir", runDir.toString(), "demo");
            assertEquals(0, run.exit(), run.stdout() + run.stderr());
            // the machine's own namespace, read only: the demo made no link and no nf_tables table there
            assertEquals(linksBefore, ownLinks());
            assertEquals(tablesBefore, Sandbox.run("nft", "list", "tables").ok().stdout());
            for (String section : new String[] {"[none]", "[host]", "[container]", "[bridge]"}) {
                assertTrue(run.stdout().contains(section), run.stdout());
            }
            assertFalse(run.stdout().contains("FAILED"), run.stdout());
            Matcher pass = Pattern.compile("PASS: (\\d+) of (\\d+) proven").matcher(run.stdout());
            assertTrue(pass.find(), run.stdout());
            assertEquals(pass.group(2), pass.group(1));
            assertTrue(Integer.parseInt(pass.group(1)) >= 30, run.stdout());
            assertTrue(run.stdout().contains("a listener on the host's 127.0.0.1 answers the container"), run.stdout());
            assertTrue(run.stdout().contains("a listener on 127.0.0.1 in one member answers the other"), run.stdout());
            for (String claim : new String[] {"which sees the host's address: 198.18.0.1",
                    "which sees the outside's address: 198.18.0.2", "ok     isolation: ", "ok     icc=false: ",
                    "ok     jnet rm and jnet network rm leave nothing in the host",
                    "ok     the namespace jnet demo runs in is as it was before"}) {
                assertTrue(run.stdout().contains(claim), claim + "\n" + run.stdout());
            }

            try (Stream<Path> left = Files.list(demo)) {
                assertEquals(List.of(), left.toList(), "no namespace or store is left in " + demo);
            }
            List<String> mounts = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                    .map(l -> l.split(" ")[4]).filter(m -> m.startsWith(runDir + "/")).toList();
            assertEquals(List.of(demo.toString()), mounts, "only the shared run directory stays a mount point");
        } finally {
            try {
                Sys.unmount(demo.toString(), Sys.MNT_DETACH);
            } catch (ErrnoException notMounted) {
                // the demo failed before it made its directory a mount point
            }
            try (Stream<Path> tree = Files.walk(runDir)) {
                for (Path p : tree.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
