package io.jnet.cli;

import io.jnet.kernel.testing.Sandbox;

import java.util.List;

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
    private final Socat socat = new Socat();

    Uplink(CliSandbox cli) {
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

    /** A socat server in the namespace at {@code netns}; see {@link Socat}. */
    void serve(String netns, String proto, int port) {
        socat.serve(enter(netns), proto, port);
    }

    String connect(String netns, String proto, String address, int port) {
        return Socat.connect(enter(netns), proto, address, port);
    }

    boolean unreachable(String netns, String proto, String address, int port) {
        return Socat.unreachable(enter(netns), proto, address, port);
    }

    private static List<String> enter(String netns) {
        return List.of("nsenter", "--net=" + netns);
    }

    @Override
    public void close() {
        socat.close();
    }
}
