package io.jnet.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DESIGN §2: production code never starts processes (no ip, nft, iptables, sysctl or mount behind our back). */
class NoExecPolicyTest {

    private static final Pattern EXEC =
            Pattern.compile("ProcessBuilder|Runtime\\s*\\.\\s*getRuntime\\s*\\(\\s*\\)\\s*\\.\\s*exec");

    /**
     * The exec family reached through JNA: a libc function looked up by name, or a call of the wrappers that exist
     * for the two legitimate uses ({@code jnet exec} runs the user's command in a namespace, {@code jnet install}
     * becomes the new home's {@code bin/jnet-train}).
     */
    private static final Pattern NATIVE_EXEC = Pattern.compile(
            "\"(execv|execvp|execve|execvpe|execl|execlp|execle|fexecve|posix_spawnp?|system|popen|fork|vfork)\""
                    + "|\\bexecvp?\\s*\\(|\\.exec\\s*\\(\\s*(List\\.of|argv|command)");

    /** Where the native exec may appear: the libc boundary, and its two callers that run a command on purpose. */
    private static final List<String> NATIVE_EXEC_ALLOWED = List.of(
            "kernel/src/main/java/io/jnet/kernel/sys/LibC.java",
            "kernel/src/main/java/io/jnet/kernel/sys/Sys.java",
            "kernel/src/main/java/io/jnet/kernel/netns/NetNs.java",
            "cli/src/main/java/io/jnet/cli/ExecCommand.java",
            "cli/src/main/java/io/jnet/cli/InstallCommand.java");

    @Test
    void productionCodeExecsNothingThroughJna() throws IOException {
        List<String> offenders = productionSources().stream()
                .filter(p -> NATIVE_EXEC_ALLOWED.stream().noneMatch(a -> p.toString().endsWith(a)))
                .filter(p -> matches(NATIVE_EXEC, p)).map(Path::toString).toList();
        assertEquals(List.of(), offenders, "production code that execs through JNA");
    }

    @Test
    void theNativePatternCatchesTheUsualForms() {
        assertTrue(NATIVE_EXEC.matcher("C.getFunction(\"execve\")").find());
        assertTrue(NATIVE_EXEC.matcher("NativeLibrary.getInstance(\"c\").getFunction(\"posix_spawnp\")").find());
        assertTrue(NATIVE_EXEC.matcher("LibC.execvp(file, argv)").find());
        assertTrue(NATIVE_EXEC.matcher("Sys.execvp(List.of(\"nft\", \"-f\", \"-\"))").find());
        assertTrue(NATIVE_EXEC.matcher("ns.exec(List.of(\"ip\", \"link\"))").find());
        assertFalse(NATIVE_EXEC.matcher("executor.execute(task)").find());
    }

    private static List<Path> productionSources() throws IOException {
        Path root = Path.of(System.getProperty("user.dir")).getParent();
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> p.toString().contains("/src/main/java/"))
                    .filter(p -> !p.toString().contains("/target/"))
                    .toList();
        }
    }

    private static boolean matches(Pattern pattern, Path file) {
        try {
            return pattern.matcher(Files.readString(file)).find();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
    }

    @Test
    void productionCodeStartsNoProcesses() throws IOException {
        Path root = Path.of(System.getProperty("user.dir")).getParent();
        List<Path> sources = productionSources();
        assertTrue(sources.size() > 10, "found only " + sources.size() + " production sources under " + root);
        // the one exception: a delegated IPAM plugin must be exec'd, as the CNI spec says
        List<String> offenders = sources.stream().filter(p -> matches(EXEC, p)).map(Path::toString)
                .filter(p -> !p.endsWith("bridge/src/main/java/io/jnet/bridge/ExecPlugin.java")).toList();
        assertEquals(List.of(), offenders, "production code that starts processes");
    }

    @Test
    void thePatternCatchesTheUsualForms() {
        assertTrue(EXEC.matcher("new ProcessBuilder(\"ip\")").find());
        assertTrue(EXEC.matcher("Runtime.getRuntime().exec(cmd)").find());
        assertTrue(EXEC.matcher("Runtime.getRuntime ( ) . exec(cmd)").find());
    }
}
