package io.jnet.cli;

import io.jnet.kernel.inventory.NetnsInventory;
import io.jnet.kernel.netns.NetNs;
import io.jnet.kernel.rtnl.Link;
import io.jnet.kernel.rtnl.Rtnetlink;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code jnet demo}: runs the network modes in throwaway namespaces, proves with real connections that they work,
 * prints a short report and removes everything. Exits 0 only when every claim was proven. The machine's own
 * namespace is never touched: a throwaway namespace plays the host, and the containers go through the same code as
 * {@code jnet create} and {@code jnet rm}, with a throwaway store under {@code <run-dir>/demo}.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Prove the network modes with real connections in throwaway namespaces, then clean up: none, "
                + "host, container:<name> and bridge (masquerade, published ports, isolation between networks, "
                + "icc=false) with a throwaway namespace as the host and another as the outside (198.18.0.0/15).",
                "Exits 0 only when every claim was proven. The namespace jnet runs in is only read."})
final class DemoCommand implements Callable<Integer> {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @ParentCommand
    Main main;

    private final List<String> created = new ArrayList<>();
    private final DemoReport report = new DemoReport();
    private Path dir;

    /** Where a scenario gets its throwaway namespaces; the demo deletes them all at the end. */
    @FunctionalInterface
    interface Throwaways {
        NetNs create(String name) throws IOException;
    }

    @Override
    public Integer call() {
        String suffix = HexFormat.of().formatHex(new SecureRandom().generateSeed(3));
        dir = main.runDir.toAbsolutePath().resolve("demo");
        Path state = dir.resolve("state-" + suffix);
        System.out.println("jnet demo: the network modes in throwaway namespaces under " + dir + " (suffix " + suffix
                + ")");
        String before = null;
        try {
            before = ownNamespace();
        } catch (IOException e) {
            report.claim(false, "read this process's own namespace: " + e.getMessage());
        }
        try (NetNs host = namespace("host-" + suffix)) {
            DemoProbes.hostLike(host);
            var warnings = new ByteArrayOutputStream();
            Containers engine = new Containers(ContainerStore.at(state), dir, host,
                    new PrintStream(warnings, true, StandardCharsets.UTF_8));
            report.run("none", () -> new NoneDemo(report, this::namespace).run("none-" + suffix));
            report.run("host", () -> new HostDemo(report, this::namespace).run(engine, host, warnings, suffix));
            report.run("container", () -> new ContainerDemo(report, this::namespace).run(engine, host, suffix));
            report.run("bridge", () -> new BridgeDemo(report, this::namespace).run(engine, host, suffix));
        } catch (Exception e) {
            report.claim(false, "the demo stopped: " + e.getMessage());
        } finally {
            cleanUp(state);
        }
        if (before != null) {
            try {
                String after = ownNamespace();
                report.claim(before.equals(after), "the namespace jnet demo runs in is as it was before: " + after);
            } catch (IOException e) {
                report.claim(false, "read this process's own namespace: " + e.getMessage());
            }
        }
        return report.finish();
    }

    /**
     * What the demo must leave alone, read (never changed) in the namespace this process runs in: its links and
     * its nf_tables tables.
     */
    private static String ownNamespace() throws IOException {
        try (Rtnetlink rtnl = Rtnetlink.open()) {
            return rtnl.links().size() + " links " + rtnl.links().stream().map(Link::name).toList() + ", tables "
                    + NetnsInventory.tables();
        }
    }

    /** A throwaway namespace under the demo directory, remembered for the clean-up. */
    private NetNs namespace(String name) throws IOException {
        created.add(name);
        return NetNs.create(dir, name);
    }

    /** Deletes every namespace the demo made (containers that rm already removed count as gone) and the store. */
    private void cleanUp(Path state) {
        int removed = 0;
        for (String name : created) {
            try {
                if (NetNs.delete(dir, name)) {
                    removed++;
                }
            } catch (IOException e) {
                report.claim(false, "remove namespace " + name + ": " + e.getMessage());
            }
        }
        if (Files.isDirectory(state)) {
            try {
                for (ContainerRecord r : ContainerStore.at(state).list()) {
                    Path netns = Path.of(r.netns());
                    if (NetNs.delete(netns.getParent(), netns.getFileName().toString())) {
                        removed++;
                    }
                }
            } catch (IOException e) {
                report.claim(false, "remove the demo's containers: " + e.getMessage());
            }
            try (Stream<Path> tree = Files.walk(state)) {
                for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            } catch (IOException | UncheckedIOException e) {
                report.claim(false, "remove the demo's store " + state + ": " + e.getMessage());
            }
        }
        System.out.println();
        System.out.println("removed " + removed + " throwaway namespace(s) and the demo's store under " + dir);
    }
}
