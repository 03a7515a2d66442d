package io.jnet.cli;

import io.jnet.cni.IpPrefix;
import io.jnet.cni.Json;
import io.jnet.kernel.testing.Sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

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
    private final List<Process> servers = new ArrayList<>();

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

    /**
     * A TCP (or UDP) server in a namespace that answers every client's first line with the address it saw the client
     * come from. It reads before it answers: closing with unread input would reset the connection and lose the answer.
     */
    void serve(Sandbox.Ns ns, String proto, int port) {
        String listen = proto.equals("udp") ? "UDP6-RECVFROM:" + port + ",ipv6only=0,fork,reuseaddr"
                : "TCP6-LISTEN:" + port + ",ipv6only=0,fork,reuseaddr";
        try {
            Process p = new ProcessBuilder(Sandbox.inCommand(ns, "socat", listen, "SYSTEM:read line; echo $SOCAT_PEERADDR"))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            servers.add(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // wait until it listens
        for (int i = 0; i < 100; i++) {
            String ss = sandbox.in(ns, "ss", "-Hlnu" + (proto.equals("udp") ? "" : "t")).stdout();
            if (ss.contains(":" + port + " ")) {
                return;
            }
            sleep(50);
        }
        throw new AssertionError("socat did not start listening on " + proto + "/" + port + " in " + ns.name());
    }

    /**
     * Connects from a namespace and returns what the server answered (the client address it saw), or "" when three
     * tries got no answer (a loaded machine can lose a first SYN or datagram to neighbour resolution).
     */
    String connect(Sandbox.Ns from, String proto, String address, int port) {
        for (int attempt = 0; attempt < 3; attempt++) {
            String answer = once(from, proto, address, port, 3);
            if (!answer.isEmpty()) {
                return answer;
            }
        }
        return "";
    }

    /** True when one connection attempt (2 s) gets no answer: for what must be unreachable. */
    boolean unreachable(Sandbox.Ns from, String proto, String address, int port) {
        return once(from, proto, address, port, 2).isEmpty();
    }

    /** One UDP exchange from a fixed source port, so that every call belongs to the same conntrack flow. */
    String udpFrom(Sandbox.Ns from, int sourcePort, String address, int port) {
        return once(from, "udp", address, port + ",sourceport=" + sourcePort + ",reuseaddr", 2);
    }

    private String once(Sandbox.Ns from, String proto, String address, Object port, int seconds) {
        String target = (proto.equals("udp") ? "UDP:" : "TCP:") + (address.contains(":") ? "[" + address + "]" : address)
                + ":" + port + (proto.equals("tcp") ? ",connect-timeout=" + seconds : "");
        // after its input ends, socat waits this long for the answer (its default half second is too short)
        Sandbox.Run r = Sandbox.run(Map.of(), "hello\n".getBytes(StandardCharsets.US_ASCII),
                Sandbox.inCommand(from, "timeout", String.valueOf(2 * seconds + 1), "socat", "-t" + seconds,
                        "-T" + seconds, "-", target));
        String out = r.stdout().strip().replace("[", "").replace("]", "");
        if (out.isEmpty()) {
            return out;
        }
        // socat prints peers of a dual-stack socket in full IPv6 form, IPv4 ones as mapped addresses
        return IpPrefix.formatAddress(IpPrefix.parseAddress(out));
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
        for (Process p : servers) {
            p.destroy();
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (var files = Files.walk(root)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
