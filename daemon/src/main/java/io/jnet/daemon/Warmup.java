package io.jnet.daemon;

import io.jnet.bridge.HostSockets;
import io.jnet.kernel.fs.DurableFiles;
import io.jnet.kernel.netns.NetNs;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Bridge calls that the daemon makes on itself before it serves, so that the first real calls run compiled code: a
 * fresh JVM's ADD takes about twice as long as a warm one's over its first hundred calls. They go through
 * {@link Calls}, as a shim's request does, into a "host" namespace that the warm-up's thread unshares into and a
 * "container" namespace held by an fd, with their state in a temporary directory. The daemon's namespace and state
 * root never see them, and all of it vanishes afterwards: the namespaces with their last reference, the directory
 * deleted.
 */
final class Warmup {

    /** What the warm-up did, for the log. */
    record Outcome(int calls, int failed, long millis, String firstError) {
    }

    private final Path state;
    private final NetNs container;
    private final HostSockets sockets;
    private final AtomicBoolean stop;

    private Warmup(Path state, NetNs container, HostSockets sockets, AtomicBoolean stop) {
        this.state = state;
        this.container = container;
        this.sockets = sockets;
        this.stop = stop;
    }

    /**
     * Up to {@code adds} ADDs of containers with a published port (every fourth one also checked and deleted), for
     * at most {@code budgetMillis}; stops at the first failed ADD, since the rest would fail alike.
     *
     * @throws InterruptedIOException when the JVM began to shut down during the warm-up
     */
    static Outcome run(int adds, long budgetMillis) throws IOException {
        long start = System.nanoTime();
        Path state = Files.createTempDirectory("jnet-warmup-");
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch done = new CountDownLatch(1);
        // a SIGTERM during the warm-up ends the JVM before Daemon.start returns: the call in progress finishes (no
        // new files appear behind the deletion), then the directory goes
        Thread cleanUp = new Thread(() -> {
            stop.set(true);
            try {
                done.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            deleteTree(state);
        }, "jnet-warmup-clean-up");
        Runtime.getRuntime().addShutdownHook(cleanUp);
        try {
            Outcome outcome = NetNs.inThrowaway(() -> {
                try (NetNs container = NetNs.throwaway(); HostSockets sockets = HostSockets.keptPrivately()) {
                    return new Warmup(state, container, sockets, stop)
                            .calls(adds, start + budgetMillis * 1_000_000L, start);
                }
            });
            if (stop.get()) {
                throw new InterruptedIOException("stopped: the JVM is shutting down");
            }
            return outcome;
        } finally {
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(cleanUp);
                deleteTree(state);
            } catch (IllegalStateException shuttingDown) {
                // the hook deletes it
            }
        }
    }

    private static void deleteTree(Path root) {
        try {
            DurableFiles.deleteTree(root);
        } catch (IOException e) {
            // the shutdown hook and the finally block may both get here
        }
    }

    private Outcome calls(int adds, long deadline, long start) {
        int calls = 0;
        int failed = 0;
        String firstError = "";
        for (int i = 0; i < adds && System.nanoTime() < deadline && !stop.get(); i++) {
            String id = "warmup" + i;
            String ifName = "eth" + i;
            String conf = conf(i);
            Calls.Outcome add = call("ADD", id, ifName, conf);
            calls++;
            if (add.exitCode() != 0) {
                failed++;
                firstError = new String(add.stdout(), StandardCharsets.UTF_8).strip();
                break;
            }
            if (i % 4 == 3) {
                String withResult = conf.substring(0, conf.length() - 1) + ",\"prevResult\":"
                        + new String(add.stdout(), StandardCharsets.UTF_8).strip() + "}";
                for (String command : new String[] {"CHECK", "DEL"}) {
                    Calls.Outcome o = call(command, id, ifName, withResult);
                    calls++;
                    if (o.exitCode() != 0 && failed++ == 0) {
                        firstError = new String(o.stdout(), StandardCharsets.UTF_8).strip();
                    }
                }
            }
        }
        return new Outcome(calls, failed, (System.nanoTime() - start) / 1_000_000, firstError);
    }

    private Calls.Outcome call(String command, String id, String ifName, String conf) {
        Map<String, String> env = new HashMap<>(Map.of("CNI_COMMAND", command, "CNI_CONTAINERID", id,
                "CNI_NETNS", container.path(), "CNI_IFNAME", ifName, "JNET_ROOT", state.toString()));
        return Calls.run("bridge", env, conf.getBytes(StandardCharsets.UTF_8), sockets);
    }

    /**
     * A network like the one a runtime would configure, with a published port. The containers share one namespace,
     * so each gets a route of its own where a runtime's would have the default route. Nothing leaves the namespaces.
     */
    private String conf(int i) {
        return "{\"cniVersion\":\"1.0.0\",\"name\":\"warmup\",\"type\":\"jnet-bridge\",\"bridge\":\"jwarm0\","
                + "\"isGateway\":true,\"isDefaultGateway\":false,\"ipMasq\":true,"
                + "\"hairpinMode\":true,\"capabilities\":{\"portMappings\":true},"
                + "\"ipam\":{\"type\":\"jnet-ipam\",\"dataDir\":\"" + state.resolve("ipam") + "\","
                + "\"ranges\":[[{\"subnet\":\"10.255.0.0/16\",\"gateway\":\"10.255.0.1\"}]],"
                + "\"routes\":[{\"dst\":\"10.254." + (i >> 8 & 255) + "." + (i & 255) + "/32\"}]},"
                + "\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":" + (20000 + i) + ",\"containerPort\":80,"
                + "\"protocol\":\"tcp\"}]}}";
    }
}
