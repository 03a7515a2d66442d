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
 * socat servers and clients inside a namespace that {@code enter} (a command prefix such as {@code ip netns exec NS}
 * or {@code nsenter --net=PATH}) reaches. A server answers each client's first line with the address it saw the
 * client come from; it reads before it answers, because closing with unread input would reset the connection and
 * lose the answer. Servers are ended by PID.
 */
final class Socat implements AutoCloseable {

    private final List<Process> servers = new ArrayList<>();

    /** Starts a TCP (or UDP) server and returns once it listens. */
    void serve(List<String> enter, String proto, int port) {
        String listen = proto.equals("udp") ? "UDP6-RECVFROM:" + port + ",ipv6only=0,fork,reuseaddr"
                : "TCP6-LISTEN:" + port + ",ipv6only=0,fork,reuseaddr";
        try {
            servers.add(new ProcessBuilder(command(enter, "socat", listen, "SYSTEM:read line; echo $SOCAT_PEERADDR"))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (int i = 0; i < 100; i++) {
            String ss = Sandbox.run(command(enter, "ss", "-Hlnu" + (proto.equals("udp") ? "" : "t"))).stdout();
            if (ss.contains(":" + port + " ")) {
                return;
            }
            Topology.sleep(50);
        }
        throw new AssertionError("socat did not start listening on " + proto + "/" + port + " in " + enter);
    }

    /**
     * What the server answered (the client address it saw), or "" when three tries got no answer (a loaded machine
     * can lose a first SYN or datagram to neighbour resolution).
     */
    static String connect(List<String> enter, String proto, String address, int port) {
        for (int attempt = 0; attempt < 3; attempt++) {
            String answer = once(enter, proto, address, String.valueOf(port), 3);
            if (!answer.isEmpty()) {
                return answer;
            }
        }
        return "";
    }

    /** True when one connection attempt (2 s) gets no answer: for what must be unreachable. */
    static boolean unreachable(List<String> enter, String proto, String address, int port) {
        return once(enter, proto, address, String.valueOf(port), 2).isEmpty();
    }

    /** One UDP exchange from a fixed source port, so that every call belongs to the same conntrack flow. */
    static String udpFrom(List<String> enter, int sourcePort, String address, int port) {
        return once(enter, "udp", address, port + ",sourceport=" + sourcePort + ",reuseaddr", 2);
    }

    private static String once(List<String> enter, String proto, String address, String port, int seconds) {
        String target = (proto.equals("udp") ? "UDP:" : "TCP:") + (address.contains(":") ? "[" + address + "]" : address)
                + ":" + port + (proto.equals("tcp") ? ",connect-timeout=" + seconds : "");
        // after its input ends, socat waits this long for the answer (its default half second is too short)
        Sandbox.Run r = Sandbox.run(Map.of(), "hello\n".getBytes(StandardCharsets.US_ASCII),
                command(enter, "timeout", String.valueOf(2 * seconds + 1), "socat", "-t" + seconds, "-T" + seconds,
                        "-", target));
        String out = r.stdout().strip().replace("[", "").replace("]", "");
        // socat prints peers of a dual-stack socket in full IPv6 form, IPv4 ones as mapped addresses
        return out.isEmpty() ? out : IpPrefix.formatAddress(IpPrefix.parseAddress(out));
    }

    private static String[] command(List<String> enter, String... command) {
        List<String> full = new ArrayList<>(enter);
        full.addAll(List.of(command));
        return full.toArray(new String[0]);
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
