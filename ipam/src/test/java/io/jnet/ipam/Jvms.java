package io.jnet.ipam;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Child JVMs on the test classpath, their stdout collected line by line as it comes. */
final class Jvms {

    private Jvms() {
    }

    /** A started child: its process and the complete lines it has written so far. */
    static final class Child {
        final Process process;
        final List<String> lines = Collections.synchronizedList(new ArrayList<>());
        private final CountDownLatch ready = new CountDownLatch(1);
        private final Thread reader;

        Child(Process process) {
            this.process = process;
            this.reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        lines.add(line);
                        if (line.equals("READY")) {
                            ready.countDown();
                        }
                    }
                } catch (IOException closed) {
                    // the child was killed
                }
            });
            reader.start();
        }

        boolean awaitReady(long seconds) throws InterruptedException {
            return ready.await(seconds, TimeUnit.SECONDS);
        }

        /** SIGKILL (this child only, by its PID), then the lines it completed. */
        List<String> kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor();
            reader.join();
            return lines;
        }

        int await(long seconds) throws InterruptedException {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("child did not finish in " + seconds + " s");
            }
            reader.join();
            return process.exitValue();
        }
    }

    static Child start(Class<?> main, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx64m", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        return new Child(pb.start());
    }
}
