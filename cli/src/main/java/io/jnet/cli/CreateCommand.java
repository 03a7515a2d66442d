package io.jnet.cli;

import io.jnet.cni.IpPrefix;
import io.jnet.kernel.rtnl.MacAddress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code jnet create}: a container's network, as {@code docker create} would set it up. */
@Command(name = "create", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Create a container's network: a named network namespace under the run directory, wired in "
                + "the mode --network asks for. Prints the name, the namespace's path and the addresses.",
                "Modes: none (only lo), host (the host's namespace), container:<name> (another container's "
                        + "namespace, shared until its last member is removed), bridge or a network's name."})
final class CreateCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = "--name", paramLabel = "NAME",
            description = "Container name (default: the first 12 digits of its id).")
    String name;

    @Option(names = "--network", paramLabel = "MODE", defaultValue = Network.DEFAULT_BRIDGE,
            description = "none, host, container:<name|id>, bridge or a network's name (default: ${DEFAULT-VALUE}).")
    String network;

    @Option(names = {"-p", "--publish"}, paramLabel = "[ip:]hostPort[-end]:containerPort[/tcp|udp]",
            description = "Publish container ports on the host (bridge networks; discarded with a warning in host "
                    + "and none mode).")
    List<String> publish = new ArrayList<>();

    @Option(names = "--ip", paramLabel = "ADDRESS", description = "The container's address (bridge networks).")
    String ip;

    @Option(names = {"--mac", "--mac-address"}, paramLabel = "MAC",
            description = "The container's MAC address (bridge networks).")
    String mac;

    @Override
    public Integer call() throws CliException {
        Containers.CreateRequest request = request();
        ContainerRecord record = main.containers(System.err).create(request);
        System.out.println(record.name());
        System.out.println("  netns    " + record.netns());
        if (record.mode() == NetworkMode.CONTAINER) {
            System.out.println("  shares   the namespace of " + record.leader());
        }
        for (Map.Entry<String, List<String>> e : Addresses.byInterface(record.result()).entrySet()) {
            System.out.println("  " + pad(e.getKey()) + String.join(" ", e.getValue()));
        }
        if (record.mode() == NetworkMode.BRIDGE && !record.ports().isEmpty()) {
            System.out.println("  " + pad("ports") + LsCommand.ports(record).replace(",", " "));
        }
        return 0;
    }

    private static String pad(String interfaceName) {
        return interfaceName.length() >= 9 ? interfaceName + " " : (interfaceName + "         ").substring(0, 9);
    }

    /** Everything about the flags that can be wrong is a usage error (exit 2), found before anything is changed. */
    private Containers.CreateRequest request() {
        if (name != null) {
            try {
                ContainerStore.checkName(name);
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            }
        }
        Network parsed;
        try {
            parsed = Network.parse(network);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        List<PublishSpec> ports = new ArrayList<>();
        for (String p : publish) {
            try {
                ports.add(PublishSpec.parse(p));
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            }
        }
        String address = "";
        if (ip != null) {
            try {
                address = IpPrefix.formatAddress(IpPrefix.parseAddress(ip));
            } catch (IllegalArgumentException e) {
                throw usage("--ip: " + e.getMessage());
            }
        }
        String macAddress = "";
        if (mac != null) {
            try {
                MacAddress m = MacAddress.parse(mac);
                if ((m.bits() >>> 40 & 1) != 0) {
                    throw new IllegalArgumentException("\"" + mac + "\" is a multicast address");
                }
                macAddress = m.toString();
            } catch (IllegalArgumentException e) {
                throw usage("--mac: " + e.getMessage());
            }
        }
        NetworkMode mode = parsed.mode();
        if (mode == NetworkMode.CONTAINER && !ports.isEmpty()) {
            throw usage("conflicting options: port publishing and --network container:<name> (the ports are the "
                    + "other container's)");
        }
        if (mode != NetworkMode.BRIDGE && ip != null) {
            throw usage("conflicting options: --ip and --network " + network + " (an address needs a bridge network)");
        }
        if (mode != NetworkMode.BRIDGE && mac != null) {
            throw usage("conflicting options: --mac and --network " + network + " (a MAC address needs a bridge "
                    + "network)");
        }
        return new Containers.CreateRequest(name, parsed, ports, address, macAddress);
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
