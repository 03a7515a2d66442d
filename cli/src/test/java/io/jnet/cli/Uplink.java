package io.jnet.cli;

import io.jnet.cni.IpPrefix;
import io.jnet.kernel.testing.Sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An "outside" namespace behind the CLI sandbox host's uplink (198.18.0.1 in the host, 198.18.0.2 outside), and
 * socat servers and clients in namespaces given by path: jnet's containers live under the CLI's run directory, not
 * /run/netns. Servers answer each client's first line with the address they saw it come from; they are ended by
 * PID.
 */
final class Uplink implements AutoCloseable {

    static final String HOST_IP = Topology.HOST_IP;
    static final String OUTSIDE_IP = Topology.OUTSIDE_IP;

    final Sandbox.Ns outside;
    private final CliSandbox cli;
    private final List<Process> servers = new ArrayList<>();

    Uplink(CliSandbox cli) {
        this.cli = cli;
        this.outside = cli.sandbox.namespace("out");
        Sandbox sb = cli.sandbox;
        sb.in(outside, "ip", "link", "set", "lo", "up").ok();
        sb.in(cli.host, "ip", "link", "add", "up0", "type", "veth", "peer", "name", "up1", "netns", outside.name())
                .ok();
        sb.in(cli.host, "ip", "addr", "add", HOST_IP + "/24", "dev", "up0").ok();
        sb.in(outside, "ip", "addr", "add", OUTSIDE_IP + "/24", "dev", "up1").ok();
        sb.in(cli.host, "ip", "link", "set", "up0", "up").ok();
        sb.in(outside, "ip", "link", "set", "up1", "up").ok();
        sb.in(cli.host, "ip", "route", "add", "default", "via", OUTSIDE_IP).ok();
    }

    String outsidePath() {
        return outside.path();
    }

    /** A server in the namespace at {@code netns} on {@code proto}/{@code port}; returns once it listens. */
    void serve(String netns, String proto, int port) {
        String listen = proto.equals("udp") ? "UDP6-RECVFROM:" + port + ",ipv6only=0,fork,reuseaddr"
                : "TCP6-LISTEN:" + port + ",ipv6only=0,fork,reuseaddr";
        try {
            servers.add(new ProcessBuilder("nsenter", "--net=" + netns, "socat", listen,
                    "SYSTEM:read line; echo $SOCAT_PEERADDR").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (int i = 0; i < 100; i++) {
            String ss = cli.in(netns, "ss", "-Hlnu" + (proto.equals("udp") ? "" : "t")).stdout();
            if (ss.contains(":" + port + " ")) {
                return;
            }
            Topology.sleep(50);
        }
        throw new AssertionError("socat did not start listening on " + proto + "/" + port + " in " + netns);
    }

    /** What the server answered (the client address it saw), or "" when three tries got no answer. */
    String connect(String netns, String proto, String address, int port) {
        for (int attempt = 0; attempt < 3; attempt++) {
            String answer = once(netns, proto, address, port, 3);
            if (!answer.isEmpty()) {
                return answer;
            }
        }
        return "";
    }

    /** True when one attempt (2 s) gets no answer: for what must be unreachable. */
    boolean unreachable(String netns, String proto, String address, int port) {
        return once(netns, proto, address, port, 2).isEmpty();
    }

    private String once(String netns, String proto, String address, int port, int seconds) {
        String target = (proto.equals("udp") ? "UDP:" : "TCP:") + address + ":" + port
                + (proto.equals("tcp") ? ",connect-timeout=" + seconds : "");
        Sandbox.Run r = Sandbox.run(Map.of(), "hello\n".getBytes(StandardCharsets.US_ASCII), "nsenter",
                "--net=" + netns, "timeout", String.valueOf(2 * seconds + 1), "socat", "-t" + seconds,
                "-T" + seconds, "-", target);
        String out = r.stdout().strip().replace("[", "").replace("]", "");
        return out.isEmpty() ? out : IpPrefix.formatAddress(IpPrefix.parseAddress(out));
    }

    @Override
    public void close() {
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
    }
}
