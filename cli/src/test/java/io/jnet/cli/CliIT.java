package io.jnet.cli;

import io.jnet.cni.Json;
import io.jnet.kernel.testing.Sandbox;
import io.jnet.kernel.testing.SandboxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The jnet command end to end: bin/jnet in a sandbox host namespace with its state and run directories in /tmp. */
@ExtendWith(SandboxExtension.class)
class CliIT {

    @Test
    void noneModeIsAnOwnNamespaceWithOnlyLoopbackUp(Sandbox sandbox) throws Exception {
        try (CliSandbox cli = new CliSandbox(sandbox)) {
            Sandbox.Run create = cli.jnet("create", "--name", "n1", "--network", "none").ok();
            List<String> lines = create.stdout().lines().toList();
            assertEquals("n1", lines.get(0), create.stdout());
            assertTrue(create.stdout().contains(cli.netns("n1")), create.stdout());
            assertTrue(create.stdout().contains("127.0.0.1/8"), create.stdout());
            assertEquals("", create.stderr());

            assertEquals(List.of("lo"), cli.links(cli.netns("n1")), "only lo, as docker run --network none");
            assertTrue(cli.in(cli.netns("n1"), "ip", "-j", "link").ok().stdout().contains("\"UP\""));
            assertNotEquals(CliSandbox.inode(cli.host.path()), CliSandbox.inode(cli.netns("n1")), "its own namespace");

            Map<String, Object> inspect = CliSandbox.jsonArray(cli.jnet("inspect", "n1").ok().stdout()).get(0);
            assertEquals("none", inspect.get("mode"));
            assertEquals(cli.netns("n1"), inspect.get("netns"));
            assertTrue(Json.write(inspect.get("interfaces")).contains("\"127.0.0.1/8\""), Json.write(inspect));

            assertEquals("n1\n", cli.jnet("rm", "n1").ok().stdout());
            assertFalse(Files.exists(Path.of(cli.netns("n1"))));
            assertFalse(cli.mounts().contains(cli.netns("n1")), "the namespace's mount is gone");
            Sandbox.Run gone = cli.jnet("inspect", "n1");
            assertEquals(1, gone.exit());
            assertEquals("jnet inspect: no such container: n1\n", gone.stderr());
        }
    }

    @Test
    void aNewNameThatLooksLikeAnIdPrefixIsOnlyAName(Sandbox sandbox) throws Exception {
        try (CliSandbox cli = new CliSandbox(sandbox)) {
            // two containers whose ids both start with c, whatever ids jnet would draw
            ContainerStore store = ContainerStore.at(cli.root);
            for (String name : new String[] {"x1", "x2"}) {
                store.put(new ContainerRecord(name, "c" + name.charAt(1) + "0".repeat(62), NetworkMode.NONE, "none",
                        cli.runDir.resolve("netns").resolve(name).toString(), Instant.now(), "lo", "", List.of(),
                        List.of(), "", "", Map.of()));
            }
            assertTrue(cli.jnet("inspect", "c").stderr().contains("ambiguous"), "c is an ambiguous id prefix");
            Sandbox.Run create = cli.jnet("create", "--name", "c", "--network", "none");
            assertEquals(0, create.exit(), create.stderr());
            String id = (String) CliSandbox.jsonArray(cli.jnet("inspect", "c").ok().stdout()).get(0).get("id");
            assertFalse(id.startsWith("c0"), "an exact name wins over an id prefix: " + id);
            assertTrue(cli.jnet("create", "--name", "c", "--network", "none").stderr()
                    .contains("is already in use"), "a used name is still refused");
            cli.jnet("rm", "c").ok();
            store.remove("x1");
            store.remove("x2");
        }
    }

    @Test
    void hostModeIsTheHostsNamespaceAndDiscardsPortsWithAWarning(Sandbox sandbox) throws Exception {
        try (CliSandbox cli = new CliSandbox(sandbox)) {
            sandbox.in(cli.host, "ip", "link", "add", "up0", "type", "veth", "peer", "name", "up1").ok();
            sandbox.in(cli.host, "ip", "addr", "add", "10.233.11.1/24", "dev", "up0").ok();
            Sandbox.Run create = cli.jnet("create", "--name", "h", "--network", "host", "-p", "8080:80").ok();
            assertTrue(create.stdout().contains("10.233.11.1/24"), "the host's addresses: " + create.stdout());
            assertEquals(1, create.stderr().lines().count(), create.stderr());
            assertTrue(create.stderr().contains("WARNING: published ports are discarded when using host network mode"),
                    create.stderr());

            assertEquals(CliSandbox.inode(cli.host.path()), CliSandbox.inode(cli.netns("h")), "the host's namespace");
            String inside = cli.jnet("exec", "h", "--", "ip", "-j", "addr").ok().stdout();
            assertTrue(inside.contains("\"10.233.11.1\""), inside);
            assertEquals("", cli.jnet("port", "h").ok().stdout(), "no port is published in host mode");
            Map<String, Object> inspect = CliSandbox.jsonArray(cli.jnet("inspect", "h").ok().stdout()).get(0);
            assertEquals("host", inspect.get("mode"));
            assertTrue(Json.write(inspect.get("ports")).contains("\"published\":false"), Json.write(inspect));

            String before = sandbox.in(cli.host, "ip", "-j", "addr").ok().stdout();
            cli.jnet("rm", "h").ok();
            assertEquals(before, sandbox.in(cli.host, "ip", "-j", "addr").ok().stdout(), "rm leaves the host alone");
            assertFalse(Files.exists(Path.of(cli.netns("h"))));
        }
    }

    @Test
    void containerModeSharesTheNamespaceUntilItsLastMemberIsRemoved(Sandbox sandbox) throws Exception {
        try (CliSandbox cli = new CliSandbox(sandbox)) {
            cli.jnet("create", "--name", "a", "--network", "none").ok();
            Sandbox.Run b = cli.jnet("create", "--name", "b", "--network", "container:a").ok();
            assertTrue(b.stdout().contains("shares   the namespace of a"), b.stdout());
            cli.jnet("create", "--name", "c", "--network", "container:b").ok();   // b's namespace is a's
            String netns = cli.netns("a");
            for (String member : new String[] {"b", "c"}) {
                Map<String, Object> m = CliSandbox.jsonArray(cli.jnet("inspect", member).ok().stdout()).get(0);
                assertEquals(netns, m.get("netns"));
                assertEquals("a", m.get("leader"));
                assertEquals("container:a", m.get("network"));
            }
            assertEquals(List.of("b", "c"), CliSandbox.jsonArray(cli.jnet("inspect", "a").ok().stdout()).get(0)
                    .get("members"));

            // a link made through one member is seen through the other: one namespace
            cli.jnet("exec", "b", "ip", "link", "add", "shared0", "type", "veth", "peer", "name", "shared1").ok();
            String fromC = cli.jnet("exec", "c", "--", "ip", "-j", "link").ok().stdout();
            assertTrue(fromC.contains("\"shared0\""), fromC);
            assertEquals(cli.links(netns), List.of("lo", "shared1", "shared0"));

            Sandbox.Run refused = cli.jnet("rm", "a");
            assertEquals(1, refused.exit());
            assertTrue(refused.stderr().contains("b, c") && refused.stderr().contains("--depend"), refused.stderr());
            assertEquals(1, refused.stderr().lines().count(), refused.stderr());

            cli.jnet("rm", "b").ok();
            assertTrue(cli.links(netns).contains("shared0"), "the namespace lives on for c");
            assertEquals(List.of("c"), CliSandbox.jsonArray(cli.jnet("inspect", "a").ok().stdout()).get(0)
                    .get("members"));
            cli.jnet("rm", "c").ok();
            assertTrue(cli.mounts().contains(netns), "a still has it");
            cli.jnet("rm", "a").ok();
            assertFalse(cli.mounts().contains(netns), "gone with its last user");

            cli.jnet("create", "--name", "x", "--network", "none").ok();
            cli.jnet("create", "--name", "y", "--network", "container:x").ok();
            assertEquals("y\nx\n", cli.jnet("rm", "--depend", "x").ok().stdout());
            assertEquals("", cli.jnet("ls", "-q").ok().stdout());
        }
    }

    @Test
    void gcCleansUpAfterANamespaceDeletedBehindJnetsBack(Sandbox sandbox) throws Exception {
        try (CliSandbox cli = new CliSandbox(sandbox)) {
            cli.jnet("create", "--name", "g", "--network", "none").ok();
            cli.jnet("create", "--name", "gm", "--network", "container:g").ok();
            cli.jnet("create", "--name", "keep", "--network", "none").ok();
            assertEquals("nothing to collect\n", cli.jnet("gc").ok().stdout());
            // what ip netns delete does: unmount and unlink
            Sandbox.run("umount", cli.netns("g")).ok();
            Files.delete(Path.of(cli.netns("g")));

            Sandbox.Run check = cli.jnet("check");
            assertEquals(1, check.exit());
            assertTrue(check.stdout().contains("g: drifted: network namespace " + cli.netns("g") + " is gone"),
                    check.stdout());
            assertTrue(check.stdout().contains("keep: ok"), check.stdout());

            Sandbox.Run gc = cli.jnet("gc").ok();
            assertTrue(gc.stdout().contains("removed g: its network namespace " + cli.netns("g") + " is gone"),
                    gc.stdout());
            assertTrue(gc.stdout().contains("removed gm:"), gc.stdout());
            assertEquals("keep\n", cli.jnet("ls", "-q").ok().stdout());
            assertEquals("nothing to collect\n", cli.jnet("gc").ok().stdout());
            cli.jnet("check").ok();
        }
    }

    @Test
    void checkNamesDriftAndRepairFixesIt(Sandbox sandbox) throws Exception {
        try (CliSandbox cli = new CliSandbox(sandbox)) {
            cli.jnet("create", "--name", "r", "--network", "none").ok();
            cli.jnet("create", "--name", "gone", "--network", "none").ok();
            assertEquals("gone: ok\nr: ok\n", cli.jnet("check").ok().stdout());
            cli.in(cli.netns("r"), "ip", "link", "set", "lo", "down").ok();
            Sandbox.run("umount", cli.netns("gone")).ok();   // the empty file stays

            Sandbox.Run drift = cli.jnet("check");
            assertEquals(1, drift.exit());
            assertTrue(drift.stdout().contains("r: drifted: jnet-none CHECK failed: lo is down"), drift.stdout());
            assertTrue(drift.stdout().contains("gone: drifted: network namespace"), drift.stdout());

            Sandbox.Run repair = cli.jnet("check", "--repair").ok();
            assertTrue(repair.stdout().contains("r: repaired: ") && repair.stdout().contains("gone: repaired: "),
                    repair.stdout());
            assertEquals("gone: ok\nr: ok\n", cli.jnet("check").ok().stdout());
            assertTrue(cli.in(cli.netns("r"), "ip", "-j", "link").ok().stdout().contains("\"UP\""));
            assertEquals(List.of("lo"), cli.links(cli.netns("gone")), "a fresh namespace for the one that was gone");
        }
    }

    @Test
    void execRunsTheCommandInsideAndPassesItsStatus(Sandbox sandbox) throws Exception {
        try (CliSandbox cli = new CliSandbox(sandbox)) {
            cli.jnet("create", "--name", "e", "--network", "none").ok();
            cli.in(cli.netns("e"), "ip", "link", "add", "in0", "type", "veth", "peer", "name", "in1").ok();
            Sandbox.Run addr = cli.jnet("exec", "e", "--", "ip", "-j", "addr").ok();
            assertEquals(cli.in(cli.netns("e"), "ip", "-j", "addr").ok().stdout(), addr.stdout(),
                    "the command sees the container's interfaces");
            assertTrue(addr.stdout().contains("\"in0\"") && !addr.stdout().contains("\"up0\""), addr.stdout());
            assertEquals(CliSandbox.inode(cli.netns("e")),
                    cli.jnet("exec", "e", "stat", "-L", "-c", "%i", "/proc/self/ns/net").ok().stdout().strip(),
                    "the exec'd program is in the container's namespace");
            assertEquals(7, cli.jnet("exec", "e", "sh", "-c", "exit 7").exit());
            Sandbox.Run missing = cli.jnet("exec", "e", "jt-no-such-command");
            assertEquals(127, missing.exit());
            assertTrue(missing.stderr().contains("jt-no-such-command: ENOENT"), missing.stderr());
            assertEquals(1, cli.jnet("exec", "nobody", "true").exit());
            assertEquals(2, cli.jnet("exec", "e").exit());
            String blocked = cli.jnet("exec", "e", "grep", "SigBlk", "/proc/self/status").ok().stdout();
            assertTrue(blocked.contains("0000000000000000"), "the JVM's signal mask is not inherited: " + blocked);
        }
    }

    @Test
    void errorsAreOneLineWithExitCodesScriptsCanRelyOn(Sandbox sandbox) throws Exception {
        try (CliSandbox cli = new CliSandbox(sandbox)) {
            cli.jnet("create", "--name", "used", "--network", "none").ok();
            cli.jnet("create", "--name", "lead", "--network", "none").ok();
            String[][] usage = {
                    {"create", "--bogus"},
                    {"create", "--name", "a/b", "--network", "none"},
                    {"create", "--network", "a b"},
                    {"create", "--network", "container:"},
                    {"create", "--network", "none", "-p", "80"},
                    {"create", "--network", "none", "-p", "99999:80"},
                    {"create", "--network", "none", "--ip", "10.0.0.300"},
                    {"create", "--network", "host", "--ip", "10.0.0.3"},
                    {"create", "--network", "host", "--mac", "02:00:00:00:00:01"},
                    {"create", "--network", "bridge", "--mac", "01:00:00:00:00:01"},
                    {"create", "--network", "container:lead", "-p", "8080:80"},
                    {"rm"},
                    {"ls", "--format", "yaml"},
                    {"frobnicate"},
                    {"completion", "fish"},
            };
            for (String[] args : usage) {
                assertFailure(cli.jnet(args), 2, String.join(" ", args));
            }
            assertFailure(cli.jnet("create", "--name", "used", "--network", "none"), 1, "already in use");
            assertFailure(cli.jnet("create", "--network", "container:nobody"), 1, "no such container: nobody");
            assertFailure(cli.jnet("create", "--name", "br", "--network", "mynet"), 1,
                    "network mynet not found (jnet network create mynet)");
            assertFailure(cli.jnet("rm", "nobody"), 1, "no such container: nobody");
            assertFailure(cli.jnet("port", "nobody"), 1, "no such container: nobody");
            assertFailure(cli.jnet("port", "used", "80/tcp"), 1, "no public port '80/tcp' published for used");
            Sandbox.Run inspect = cli.jnet("inspect", "nobody");
            assertEquals(1, inspect.exit());
            assertEquals("[]", inspect.stdout().strip(), "as docker inspect: an empty array, and the error");
            assertEquals("jnet inspect: no such container: nobody\n", inspect.stderr());
            Files.createFile(Path.of(cli.netns("orphan")));   // a file in the way of the namespace's mount
            assertFailure(cli.jnet("create", "--name", "orphan", "--network", "none"), 1, "EEXIST");
            // nothing half-made is left by the failures
            assertEquals("lead\nused\n", cli.jnet("ls", "-q").ok().stdout());
            assertFalse(Files.exists(Path.of(cli.netns("br"))));
        }
    }

    /** A failure as scripts see it: the exit code, nothing on stdout, one line on stderr naming {@code what}. */
    static void assertFailure(Sandbox.Run run, int exit, String what) {
        assertEquals(exit, run.exit(), what + ": " + run.stdout() + run.stderr());
        assertEquals("", run.stdout(), what);
        assertEquals(1, run.stderr().lines().count(), what + ": " + run.stderr());
        assertTrue(run.stderr().startsWith("jnet"), run.stderr());
        if (exit == 1) {
            assertTrue(run.stderr().contains(what), run.stderr());
        }
    }

    @Test
    void lsInspectAndLookupByIdPrefix(Sandbox sandbox) throws Exception {
        try (CliSandbox cli = new CliSandbox(sandbox)) {
            cli.jnet("create", "--name", "web", "--network", "none").ok();
            String id = (String) CliSandbox.jsonArray(cli.jnet("inspect", "web").ok().stdout()).get(0).get("id");
            assertTrue(id.matches("[0-9a-f]{64}"), id);
            assertEquals("web", CliSandbox.jsonArray(cli.jnet("inspect", id.substring(0, 5)).ok().stdout())
                    .get(0).get("name"));
            String generated = cli.jnet("create", "--network", "none").ok().stdout().lines().findFirst().orElseThrow();
            assertTrue(generated.matches("[0-9a-f]{12}"), "a name from the id: " + generated);

            String table = cli.jnet("ls").ok().stdout();
            List<String> rows = table.lines().toList();
            assertTrue(rows.get(0).matches("CONTAINER ID +NAME +NETWORK +NETNS +ADDRESSES +PORTS +CREATED"), table);
            assertEquals(3, rows.size(), table);
            assertTrue(table.contains(id.substring(0, 12) + "   web "), table);
            List<Map<String, Object>> json = CliSandbox.jsonArray(cli.jnet("ls", "--format", "json").ok().stdout());
            assertEquals(List.of(generated, "web").stream().sorted().toList(),
                    json.stream().map(r -> (String) r.get("name")).toList());
            assertEquals(id, json.get(json.get(0).get("name").equals("web") ? 0 : 1).get("id"));
            assertEquals("web", cli.jnet("--root", cli.root.toString(), "ls", "-q").ok().stdout().lines()
                    .filter("web"::equals).findFirst().orElseThrow(), "--root is the same store as JNET_ROOT");
            Sandbox.Run elsewhere = cli.jnet("ls", "-q", "--root", cli.dir.resolve("other").toString()).ok();
            assertEquals("", elsewhere.stdout(), "--root after the command");

            Path store = cli.root.resolve("containers");
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store)));
            assertEquals("rw-------", PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(store.resolve("web.json"))));
        }
    }

    @Test
    void concurrentCommandsAreSerialisedByTheStoreLock(Sandbox sandbox) throws Exception {
        try (CliSandbox cli = new CliSandbox(sandbox)) {
            ExecutorService pool = Executors.newFixedThreadPool(6);
            try {
                List<Future<Sandbox.Run>> same = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    same.add(pool.submit(() -> cli.jnet("create", "--name", "same", "--network", "none")));
                }
                int won = 0;
                for (Future<Sandbox.Run> f : same) {
                    Sandbox.Run run = f.get();
                    if (run.exit() == 0) {
                        won++;
                    } else {
                        assertTrue(run.stderr().contains("already in use"), run.stderr());
                    }
                }
                assertEquals(1, won, "exactly one create gets the name");
                List<Future<Sandbox.Run>> distinct = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    String name = "c" + i;
                    distinct.add(pool.submit(() -> cli.jnet("create", "--name", name, "--network", "container:same")));
                }
                for (Future<Sandbox.Run> f : distinct) {
                    f.get().ok();
                }
            } finally {
                pool.shutdownNow();
            }
            List<Object> members = Json.asArray(CliSandbox.jsonArray(cli.jnet("inspect", "same").ok().stdout())
                    .get(0).get("members"), "members");
            assertEquals(6, members.size(), "no member lost to a concurrent update: " + members);
        }
    }

    @Test
    void helpOnEveryCommandVersionAndCompletion(Sandbox sandbox) throws Exception {
        try (CliSandbox cli = new CliSandbox(sandbox)) {
            for (String command : new String[] {"create", "rm", "ls", "inspect", "port", "exec", "check", "gc",
                    "install", "demo", "completion", "network", "network create", "network ls", "network inspect",
                    "network rm", "network conflist"}) {
                List<String> args = new ArrayList<>(List.of(command.split(" ")));
                args.add("--help");
                Sandbox.Run help = cli.jnet(args.toArray(new String[0])).ok();
                assertTrue(help.stdout().startsWith("Usage: jnet " + command), help.stdout());
            }
            Sandbox.Run top = cli.jnet("--help").ok();
            assertTrue(top.stdout().contains("Exit codes:"), top.stdout());
            assertTrue(cli.jnet("--version").ok().stdout().startsWith("jnet "));
            String script = cli.jnet("completion").ok().stdout();
            assertTrue(script.contains("complete -F") && script.contains("inspect"), script);
            Sandbox.Run bash = Sandbox.run("bash", "-c", "source /dev/stdin <<'EOF'\n" + script
                    + "\nEOF\ncomplete -p jnet");
            assertTrue(bash.ok().stdout().contains("jnet"), bash.stdout() + bash.stderr());
        }
    }
}
