package io.jnet.cli;

import io.jnet.cni.Json;
import io.jnet.kernel.testing.Sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A sandbox "host" namespace with an uplink to an "outside" namespace (198.18.0.1 on the host, 198.18.0.2 outside,
 * and fd18::1/fd18::2), plus containers. The plugins run inside the host namespace; the machine's own namespace is
 * never touched. Servers are socat processes started here and ended by PID.
 */
final class Topology implements AutoCloseable {

    static final String HOST_IP = "198.18.0.1";
    static final String OUTSIDE_IP = "198.18.0.2";
    static final String HOST_IP6 = "fd18::1";
    static final String OUTSIDE_IP6 = "fd18::2";

    final Sandbox sandbox;
    final Sandbox.Ns host;
    final Sandbox.Ns outside;
    final Path root;
    private final Socat socat = new Socat();

    Topology(Sandbox sandbox) {
        this.sandbox = sandbox;
        this.host = sandbox.namespace("host");
        this.outside = sandbox.namespace("out");
        try {
            this.root = Files.createTempDirectory("jnet-e2e-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ip(host, "link", "set", "lo", "up");
        ip(outside, "link", "set", "lo", "up");
        ip(host, "link", "add", "up0", "type", "veth", "peer", "name", "up1", "netns", outside.name());
        ip(host, "addr", "add", HOST_IP + "/24", "dev", "up0");
        ip(host, "-6", "addr", "add", HOST_IP6 + "/64", "dev", "up0", "nodad");
        ip(outside, "addr", "add", OUTSIDE_IP + "/24", "dev", "up1");
        ip(outside, "-6", "addr", "add", OUTSIDE_IP6 + "/64", "dev", "up1", "nodad");
        ip(host, "link", "set", "up0", "up");
        ip(outside, "link", "set", "up1", "up");
        ip(host, "route", "add", "default", "via", OUTSIDE_IP);
        ip(host, "-6", "route", "add", "default", "via", OUTSIDE_IP6);
    }

    void ip(Sandbox.Ns ns, String... args) {
        String[] cmd = new String[args.length + 3];
        cmd[0] = "ip";
        cmd[1] = "-n";
        cmd[2] = ns.name();
        System.arraycopy(args, 0, cmd, 3, args.length);
        Sandbox.run(cmd).ok();
    }

    Sandbox.Ns container(String role) {
        return sandbox.namespace(role);
    }

    /** One plugin call in the host namespace, with this topology's state root. */
    Launchers.Call cni(String plugin, String command, String containerId, Sandbox.Ns ns, String ifname, String conf) {
        Map<String, String> env = new HashMap<>(Launchers.env(command, containerId, ns == null ? "" : ns.path(), ifname));
        env.put("JNET_ROOT", root.toString());
        return Launchers.call(host, plugin, env, conf);
    }

    /** A socat server in a namespace; see {@link Socat}. */
    void serve(Sandbox.Ns ns, String proto, int port) {
        socat.serve(enter(ns), proto, port);
    }

    String connect(Sandbox.Ns from, String proto, String address, int port) {
        return Socat.connect(enter(from), proto, address, port);
    }

    boolean unreachable(Sandbox.Ns from, String proto, String address, int port) {
        return Socat.unreachable(enter(from), proto, address, port);
    }

    String udpFrom(Sandbox.Ns from, int sourcePort, String address, int port) {
        return Socat.udpFrom(enter(from), sourcePort, address, port);
    }

    private static List<String> enter(Sandbox.Ns ns) {
        return List.of("ip", "netns", "exec", ns.name());
    }

    boolean ping(Sandbox.Ns from, String address) {
        return Sandbox.run(Sandbox.inCommand(from, "ping", "-c1", "-W2", address)).exit() == 0;
    }

    /** The kernel's view of the firewall in the host namespace, from nft itself. */
    Map<String, Object> ruleset() throws Exception {
        return Json.parseObject(sandbox.in(host, "nft", "-j", "list", "ruleset").ok().stdout()
                .getBytes(StandardCharsets.UTF_8));
    }

    String rulesetText() {
        return sandbox.in(host, "nft", "list", "ruleset").ok().stdout();
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws IOException {
        socat.close();
        try (var files = Files.walk(root)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
