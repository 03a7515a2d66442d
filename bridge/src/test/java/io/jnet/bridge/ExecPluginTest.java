package io.jnet.bridge;

import io.jnet.cni.CniArgs;
import io.jnet.cni.CniCommand;
import io.jnet.cni.CniException;
import io.jnet.cni.CniRequest;
import io.jnet.cni.ErrorCode;
import io.jnet.cni.NetConf;
import io.jnet.cni.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The delegated IPAM plugin: the reference host-local for real, and scripts that misbehave as a delegate can (answer
 * before reading, hang, fail, print garbage).
 */
class ExecPluginTest {

    private static final Path REFERENCE = Path.of("/usr/lib/cni");

    @TempDir
    Path tmp;

    private CniRequest request(CniCommand command, String type, String extra) throws CniException {
        String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"xnet\",\"type\":\"jnet-bridge\",\"ipam\":{\"type\":\"" + type
                + "\",\"dataDir\":\"" + tmp.resolve("data") + "\",\"ranges\":[[{\"subnet\":\"10.233.44.0/24\"}]]}"
                + extra + "}";
        NetConf netConf = NetConf.parse(conf.getBytes(StandardCharsets.UTF_8));
        boolean attachment = command.isAttachmentCommand();
        return new CniRequest(command, attachment ? "c1" : "", attachment ? "/proc/self/ns/net" : "",
                attachment ? "eth0" : "", CniArgs.EMPTY, List.of(tmp.toString(), REFERENCE.toString()), netConf);
    }

    private void script(String name, String body) throws Exception {
        Path p = tmp.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
    }

    @Test
    void theReferenceHostLocalAllocatesChecksAndReleases() throws Exception {
        assumeTrue(Files.isExecutable(REFERENCE.resolve("host-local")), "needs containernetworking-plugins");
        ExecPlugin plugin = new ExecPlugin("host-local");
        Result lease = plugin.add(request(CniCommand.ADD, "host-local", ""));
        assertEquals("10.233.44.2/24", lease.ips().get(0).address().toString());
        assertTrue(Files.exists(tmp.resolve("data/xnet/10.233.44.2")), "host-local's own store holds the lease");
        String prev = ",\"prevResult\":{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.233.44.2/24\"}]}";
        plugin.check(request(CniCommand.CHECK, "host-local", prev));
        plugin.del(request(CniCommand.DEL, "host-local", ""));
        assertFalse(Files.exists(tmp.resolve("data/xnet/10.233.44.2")), "released");
        // host-local 1.1 knows no GC: it is forwarded, and its own answer (an incompatible version) comes back whole
        CniException gc = assertThrows(CniException.class, () -> plugin.gc(request(CniCommand.GC, "host-local", "")));
        assertTrue(gc.getMessage().startsWith("IPAM plugin host-local GC: "), gc.getMessage());
    }

    @Test
    void gcAndStatusAreForwardedWithoutAttachmentVariables() throws Exception {
        Path log = tmp.resolve("log");
        script("recorder", "echo \"$CNI_COMMAND ${CNI_CONTAINERID-unset} ${CNI_IFNAME-unset}\" >> " + log
                + "; cat > " + tmp.resolve("stdin"));
        ExecPlugin plugin = new ExecPlugin("recorder");
        plugin.gc(request(CniCommand.GC, "recorder", ",\"cni.dev/valid-attachments\":[]"));
        plugin.status(request(CniCommand.STATUS, "recorder", ""));
        plugin.del(request(CniCommand.DEL, "recorder", ""));
        assertEquals(List.of("GC unset unset", "STATUS unset unset", "DEL c1 eth0"), Files.readAllLines(log));
        assertTrue(Files.readString(tmp.resolve("stdin")).contains("\"name\":\"xnet\""), "the config on stdin");
    }

    /** A delegate that writes megabytes before it reads its (megabytes of) input: no deadlock. */
    @Test
    void aDelegateThatAnswersBeforeReadingDoesNotDeadlock() throws Exception {
        script("eager", "head -c 2000000 /dev/zero | tr '\\0' ' '; "
                + "printf '{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.233.44.9/24\"}]}'; cat > /dev/null");
        String pad = ",\"pad\":\"" + "p".repeat(3_000_000) + "\"";
        Result r = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> new ExecPlugin("eager").add(request(CniCommand.ADD, "eager", pad)));
        assertEquals("10.233.44.9/24", r.ips().get(0).address().toString());
    }

    @Test
    void aDelegateThatHangsIsKilledAtTheDeadline() throws Exception {
        script("hangs", "exec sleep 600");
        long start = System.nanoTime();
        CniException e = assertThrows(CniException.class,
                () -> new ExecPlugin("hangs", Duration.ofSeconds(1)).add(request(CniCommand.ADD, "hangs", "")));
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(20).toNanos(), "returns at the deadline");
        assertEquals(ErrorCode.IO_FAILURE, e.code());
        assertTrue(e.getMessage().endsWith("did not finish within 1 s and was killed"), e.getMessage());
    }

    @Test
    void errorsKeepTheDelegatesCodeAndCause() throws Exception {
        script("refuses", "cat > /dev/null; echo '{\"cniVersion\":\"1.0.0\",\"code\":7,\"msg\":\"no ranges\","
                + "\"details\":\"d\"}'; exit 1");
        CniException refused = assertThrows(CniException.class,
                () -> new ExecPlugin("refuses").add(request(CniCommand.ADD, "refuses", "")));
        assertEquals(ErrorCode.INVALID_CONFIG, refused.code());
        assertEquals("IPAM plugin refuses ADD: no ranges", refused.getMessage());
        assertEquals("d", refused.details());

        script("panics", "cat > /dev/null; echo 'panic: runtime error'; exit 2");
        CniException panic = assertThrows(CniException.class,
                () -> new ExecPlugin("panics").add(request(CniCommand.ADD, "panics", "")));
        assertEquals(ErrorCode.INTERNAL, panic.code());
        assertEquals("IPAM plugin panics ADD exited 2", panic.getMessage());
        assertEquals("panic: runtime error", panic.details());
        assertNotNull(panic.getCause(), "the cause is kept");

        script("nonexec", "true");
        Files.setPosixFilePermissions(tmp.resolve("nonexec"), PosixFilePermissions.fromString("rw-------"));
        assertEquals(ErrorCode.INVALID_CONFIG, assertThrows(CniException.class,
                () -> new ExecPlugin("nonexec").add(request(CniCommand.ADD, "nonexec", ""))).code());
    }
}
