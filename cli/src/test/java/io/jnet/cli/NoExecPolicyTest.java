package io.jnet.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DESIGN §2: production code never starts processes (no ip, nft, iptables, sysctl or mount behind our back). */
class NoExecPolicyTest {

    private static final Pattern EXEC =
            Pattern.compile("ProcessBuilder|Runtime\\s*\\.\\s*getRuntime\\s*\\(\\s*\\)\\s*\\.\\s*exec");

    @Test
    void productionCodeStartsNoProcesses() throws IOException {
        Path root = Path.of(System.getProperty("user.dir")).getParent();
        List<Path> sources;
        try (Stream<Path> files = Files.walk(root)) {
            sources = files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> p.toString().contains("/src/main/java/"))
                    .filter(p -> !p.toString().contains("/target/"))
                    .toList();
        }
        assertTrue(sources.size() > 10, "found only " + sources.size() + " production sources under " + root);
        // the one exception: a delegated IPAM plugin must be exec'd, as the CNI spec says
        List<String> offenders = sources.stream().filter(NoExecPolicyTest::execs).map(Path::toString)
                .filter(p -> !p.endsWith("bridge/src/main/java/io/jnet/bridge/ExecPlugin.java")).toList();
        assertEquals(List.of(), offenders, "production code that starts processes");
    }

    @Test
    void thePatternCatchesTheUsualForms() {
        assertTrue(EXEC.matcher("new ProcessBuilder(\"ip\")").find());
        assertTrue(EXEC.matcher("Runtime.getRuntime().exec(cmd)").find());
        assertTrue(EXEC.matcher("Runtime.getRuntime ( ) . exec(cmd)").find());
    }

    private static boolean execs(Path file) {
        try {
            return EXEC.matcher(Files.readString(file)).find();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
    }
}
