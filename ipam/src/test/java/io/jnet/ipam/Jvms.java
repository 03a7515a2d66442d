package io.jnet.ipam;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Child JVMs on the test classpath. Their stdout goes to a file rather than a pipe: after a SIGKILL the file holds
 * every byte the child wrote (a pipe read through java.lang.Process can drop its tail when the child dies), and
 * only newline-terminated lines count as said.
 */
final class Jvms {

    private Jvms() {
    }

    /** A started child and the file its stdout goes to. */
    static final class Child {
        final Process process;
        private final Path stdout;

        Child(Process process, Path stdout) {
            this.process = process;
            this.stdout = stdout;
        }

        /** The complete lines written so far. */
        List<String> lines() throws IOException {
            String text = Files.readString(stdout, StandardCharsets.UTF_8);
            List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
            lines.remove(lines.size() - 1);    // "" after the last newline, or a line cut short by the kill
            return lines;
        }

        boolean awaitReady(long seconds) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < deadline) {
                if (lines().contains("READY")) {
                    return true;
                }
                if (!process.isAlive()) {
                    return false;
                }
                Thread.sleep(5);
            }
            return false;
        }

        /** SIGKILL (this child only, by its PID), then the lines it completed. */
        List<String> kill() throws IOException, InterruptedException {
            process.destroyForcibly();
            process.waitFor();
            return lines();
        }

        /** Waits for the child to finish, then its lines. */
        List<String> await(long seconds) throws IOException, InterruptedException {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("child did not finish in " + seconds + " s");
            }
            if (process.exitValue() != 0) {
                throw new AssertionError("child exited with " + process.exitValue() + ": " + lines());
            }
            return lines();
        }
    }

    /** Starts {@code main} with {@code args}; its stdout goes to a new file in {@code dir}. */
    static Child start(Path dir, Class<?> main, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx64m", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        Files.createDirectories(dir);
        Path stdout = Files.createTempFile(dir, "child-", ".out");
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.redirectOutput(stdout.toFile());
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        return new Child(pb.start(), stdout);
    }
}
