package io.jnet.cli;

import io.jnet.cni.CniException;
import io.jnet.cni.Json;
import io.jnet.daemon.Daemon;
import io.jnet.daemon.DaemonClient;
import io.jnet.daemon.docker.DockerPlugin;
import io.jnet.daemon.overlay.OverlayAgent;
import io.jnet.kernel.fs.StateRoot;
import io.jnet.kernel.netns.NetNs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code jnet daemon}: serves the plugins' shims in the foreground until SIGTERM, which stops accepting, drains the
 * calls in flight and removes the socket. Only this command loads netty; the CNI direct path never does.
 */
@Command(name = "daemon", mixinStandardHelpOptions = true, subcommands = DaemonCommand.Status.class,
        description = {"Serve CNI calls from the jnet-<type> shims on a Unix socket (0600, in a 0700 directory), in the "
                + "foreground, logging one line per call to stderr. Only uid 0 is served, and only callers in this "
                + "network namespace (others are told to run the call themselves). Under systemd socket activation "
                + "(LISTEN_FDS) it serves the socket it is given. It is also Docker's network and IPAM driver \"jnet\" "
                + "(--docker-socket), with a userland proxy for what nf_tables cannot publish."})
final class DaemonCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Option(names = "--socket", paramLabel = "PATH", defaultValue = "${env:JNET_SOCKET:-/run/jnet/jnet.sock}",
            description = "The socket to serve (env JNET_SOCKET; default ${DEFAULT-VALUE}).")
    Path socket;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "16",
            description = "Calls that run at once, each on its own thread (default ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "" + Daemon.Config.WARMUP_CALLS,
            description = "Before serving, run N bridge ADDs (and some CHECKs and DELs) in throwaway namespaces, so "
                    + "that the first calls served run compiled code; 0 for none (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--drain-seconds", paramLabel = "S", defaultValue = "60",
            description = "On SIGTERM, how long to wait for the calls in flight (default ${DEFAULT-VALUE}).")
    int drainSeconds;

    @Option(names = "--docker-socket", paramLabel = "PATH", defaultValue = "/run/docker/plugins/jnet.sock",
            description = "Where to serve Docker's remote network and IPAM driver \"jnet\" (default ${DEFAULT-VALUE}).")
    Path dockerSocket;

    @Option(names = "--no-docker", description = "Do not serve Docker's plugin socket.")
    boolean noDocker;

    @Option(names = "--etcd", paramLabel = "URL", defaultValue = "${env:JNET_ETCD}",
            description = "Join the overlay networks kept in this etcd (comma-separated URLs; env JNET_ETCD). "
                    + "Without it the daemon serves this host only and needs no etcd.")
    String etcd;

    @Option(names = "--lease-ttl", paramLabel = "SECONDS", defaultValue = "${env:JNET_LEASE_TTL:-60}",
            description = "The TTL of this host's etcd lease: a host that stops renewing it leaves its peers and "
                    + "its host subnets this long after (env JNET_LEASE_TTL; default ${DEFAULT-VALUE}).")
    long leaseTtl;

    @Option(names = "--underlay", paramLabel = "ADDR|IFNAME", defaultValue = "",
            description = "The address or interface VXLAN packets use (default: the default route's interface).")
    String underlay;

    @Override
    public Integer call() throws CliException, InterruptedException {
        if (workers < 1) {
            throw new CliException("--workers must be at least 1");
        }
        if (warmup < 0 || warmup > 10_000) {
            throw new CliException("--warmup must be 0 to 10000");
        }
        // slf4j-api (jetcd's) is on the class path without a binding; netty probes it first, and SLF4J would say so
        System.setProperty("slf4j.internal.verbosity", "ERROR");
        Daemon daemon;
        try {
            daemon = Daemon.start(Daemon.Config.of(socket, workers, warmup), System.getenv(), System.err);
        } catch (IOException e) {
            throw new CliException("serve " + socket + ": " + e.getMessage(), e);
        }
        DockerPlugin docker = noDocker ? null : docker(daemon);
        OverlayAgent overlay = null;
        if (etcd != null && !etcd.isBlank()) {
            try {
                overlay = OverlayAgent.start(new OverlayAgent.Config(etcd, leaseTtl, underlay,
                        StateRoot.of(System.getenv())), System.err);
            } catch (IOException | IllegalArgumentException e) {
                if (docker != null) {
                    docker.close();
                }
                daemon.stop(0);
                throw new CliException("overlay: " + e.getMessage(), e);
            }
        }
        OverlayAgent agent = overlay;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (docker != null) {
                docker.close();
            }
            daemon.stop(drainSeconds * 1000L);
            if (agent != null) {
                agent.close();
            }
        }, "jnet-daemon-stop"));
        daemon.awaitStopped();
        return 0;
    }

    /** Docker's plugin socket on the daemon's event loop, over the state root's network store. */
    private DockerPlugin docker(Daemon daemon) throws CliException {
        try {
            Networks networks = new Networks(NetworkStore.at(main.root), main.store(), NetNs.open("/proc/self/ns/net"));
            return DockerPlugin.start(dockerSocket, daemon.eventLoop(), networks.root(), new DockerNetworks(networks),
                    System.err);
        } catch (IOException e) {
            daemon.stop(0);
            throw new CliException("serve Docker's plugin socket " + dockerSocket + ": " + e.getMessage(), e);
        }
    }

    /** {@code jnet daemon status}: asks the daemon on the socket. */
    @Command(name = "status", mixinStandardHelpOptions = true,
            description = {"Show the daemon's uptime, calls in flight, requests and p50/p99 latency per command, and "
                    + "firewall heals performed."})
    static final class Status implements Callable<Integer> {

        @ParentCommand
        DaemonCommand daemon;

        @Option(names = "--format", paramLabel = "table|json", defaultValue = "table",
                description = "table (default) or json.")
        String format;

        @Override
        public Integer call() throws CliException {
            String json;
            try {
                json = DaemonClient.status(daemon.socket);
            } catch (IOException e) {
                throw new CliException("no daemon answers on " + daemon.socket + ": " + e.getMessage(), e);
            }
            if (format.equals("json")) {
                System.out.println(json);
                return 0;
            }
            Map<String, Object> s;
            try {
                s = Json.parseObject(json.getBytes(StandardCharsets.UTF_8));
            } catch (CniException e) {
                throw new CliException("the daemon's status is not JSON: " + e.getMessage(), e);
            }
            long up = ((Number) s.get("uptimeSeconds")).longValue();
            System.out.printf("socket      %s%nprotocol    %s%nuptime      %dh %02dm %02ds%nin flight   %s%n"
                            + "heals       %s%nsent direct %s%nrefused     %s%nmalformed   %s%n%n",
                    daemon.socket, s.get("protocol"), up / 3600, up / 60 % 60, up % 60, s.get("inFlight"),
                    s.get("heals"), s.get("sentDirect"), s.get("refused"), s.get("malformed"));
            System.out.printf("%-8s %9s %9s %9s%n", "COMMAND", "REQUESTS", "P50 MS", "P99 MS");
            @SuppressWarnings("unchecked")
            Map<String, Map<String, Object>> commands = (Map<String, Map<String, Object>>) s.get("commands");
            commands.forEach((name, c) -> System.out.printf("%-8s %9s %9.1f %9.1f%n", name, c.get("requests"),
                    ((Number) c.get("p50Ms")).doubleValue(), ((Number) c.get("p99Ms")).doubleValue()));
            return 0;
        }
    }
}
