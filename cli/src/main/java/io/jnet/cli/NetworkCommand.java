package io.jnet.cli;

import io.jnet.cni.IpPrefix;
import io.jnet.cni.Json;
import io.jnet.cni.Names;
import io.jnet.ipam.IpamConfig;
import io.jnet.ipam.IpamException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code jnet network}: bridge networks, as {@code docker network} manages them. */
@Command(name = "network", mixinStandardHelpOptions = true,
        description = {"Manage bridge networks: each has its own bridge, subnets, masquerade and isolation from the "
                + "others. The default network, bridge (device jnet0), is made when a container first uses it."},
        subcommands = {NetworkCommand.Create.class, NetworkCommand.Ls.class, NetworkCommand.Inspect.class,
                NetworkCommand.Rm.class, NetworkCommand.Conflist.class})
final class NetworkCommand implements Runnable {

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    Networks networks() throws CliException {
        return main.containers(System.err).networks();
    }

    // ---- create

    @Command(name = "create", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Create a bridge network. Without --subnet it gets one from the default pools "
                    + "(172.18.0.0/16 to 172.31.0.0/16, then 192.168.0.0/16 in /20s), skipping any that overlaps a "
                    + "route of the host or another network. Prints the network's id.",
                    "Options (-o): icc=false (no traffic between its containers), bridge.name=NAME (the bridge "
                            + "device, or bridge=NAME; default jnet-<id>), mtu=BYTES, internal=true (as --internal), "
                            + "ip-masquerade=false, host-binding-ip=IP; Docker's com.docker.network.* names work too."})
    static final class Create implements Callable<Integer> {

        @ParentCommand
        NetworkCommand parent;

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NAME", description = "The network's name.")
        String name;

        @Option(names = {"-d", "--driver"}, paramLabel = "DRIVER", defaultValue = "bridge",
                description = "bridge (this host; default) or overlay (across hosts: stored in etcd, carried over "
                        + "VXLAN; needs --subnet and --etcd).")
        String driver;

        @Option(names = "--host-subnet-len", paramLabel = "BITS", defaultValue = "24",
                description = "overlay: the prefix length of each host's part of the subnet (default ${DEFAULT-VALUE}).")
        int hostSubnetLength;

        @Option(names = "--vni", paramLabel = "N", defaultValue = "0",
                description = "overlay: the VXLAN network identifier (default: the lowest free from 4096).")
        int vni;

        @Option(names = "--etcd", paramLabel = "URL", defaultValue = "${env:JNET_ETCD}",
                description = "overlay: the etcd that the hosts' daemons use (env JNET_ETCD).")
        String etcd;

        @Option(names = "--subnet", paramLabel = "CIDR",
                description = "The subnet, at most one per address family (an IPv6 one implies --ipv6).")
        List<String> subnets = new ArrayList<>();

        @Option(names = "--gateway", paramLabel = "IP",
                description = "The gateway of the subnet it lies in (default: the subnet's first address).")
        List<String> gateways = new ArrayList<>();

        @Option(names = "--ip-range", paramLabel = "CIDR",
                description = "Give containers addresses only from this part of the subnet it lies in.")
        List<String> ipRanges = new ArrayList<>();

        @Option(names = "--ipv6", description = "Dual stack: without an IPv6 --subnet, a random unique local /64.")
        boolean ipv6;

        @Option(names = "--internal", description = "No masquerade and no traffic out of the network.")
        boolean internal;

        @Option(names = {"-o", "--opt"}, paramLabel = "KEY=VALUE", description = "Driver options (see above).")
        Map<String, String> options = new LinkedHashMap<>();

        @Override
        public Integer call() throws CliException {
            if (driver.equals("overlay")) {
                return createOverlay();
            }
            if (!driver.equals("bridge")) {
                throw new ParameterException(spec.commandLine(), "--driver " + driver + ": bridge or overlay");
            }
            Networks.CreateRequest request;
            try {
                request = request(name, subnets, gateways, ipRanges, ipv6, internal, options);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            System.out.println(parent.networks().create(request).id());
            return 0;
        }

        private int createOverlay() throws CliException {
            if (etcd == null || etcd.isBlank()) {
                throw new ParameterException(spec.commandLine(), "--driver overlay needs --etcd URL (or JNET_ETCD)");
            }
            if (subnets.size() != 1 || !gateways.isEmpty() || !ipRanges.isEmpty() || ipv6 || internal
                    || !options.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "--driver overlay takes one IPv4 --subnet, and "
                        + "--host-subnet-len and --vni; not --gateway, --ip-range, --ipv6, --internal or -o");
            }
            IpPrefix subnet;
            try {
                NetworkStore.checkName(name);
                subnet = IpPrefix.parse(subnets.get(0));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            System.out.println(Overlays.create(etcd, name, subnet, hostSubnetLength, vni).name());
            return 0;
        }
    }

    /** The options normalised: Docker's long names become the short ones. */
    private static final Map<String, String> OPTION_ALIASES = Map.of(
            "com.docker.network.bridge.enable_icc", "icc",
            "com.docker.network.bridge.name", "bridge.name",
            "com.docker.network.driver.mtu", "mtu",
            "com.docker.network.bridge.enable_ip_masquerade", "ip-masquerade",
            "com.docker.network.bridge.host_binding_ipv4", "host-binding-ip",
            "bridge", "bridge.name");

    /**
     * Everything about {@code jnet network create}'s flags that can be wrong, found before anything is read or
     * written; IllegalArgumentException (a usage error) says what.
     */
    static Networks.CreateRequest request(String name, List<String> subnetTexts, List<String> gatewayTexts,
                                          List<String> rangeTexts, boolean ipv6, boolean internal,
                                          Map<String, String> rawOptions) {
        NetworkStore.checkName(name);
        List<IpPrefix> subnets = new ArrayList<>();
        for (String text : subnetTexts) {
            IpPrefix subnet = IpPrefix.parse(text);
            if (!subnet.equals(subnet.network())) {
                throw new IllegalArgumentException("--subnet " + text + " has host bits set; the network is "
                        + subnet.network());
            }
            for (IpPrefix other : subnets) {
                if (other.isIpv4() == subnet.isIpv4()) {
                    throw new IllegalArgumentException("--subnet may be given once per address family: " + other
                            + " and " + subnet);
                }
            }
            subnets.add(subnet);
        }
        if (subnets.isEmpty() && (!gatewayTexts.isEmpty() || !rangeTexts.isEmpty())) {
            throw new IllegalArgumentException("--gateway and --ip-range need the --subnet they belong to");
        }
        InetAddress[] gateways = new InetAddress[subnets.size()];
        for (String text : gatewayTexts) {
            InetAddress gw = IpPrefix.parseAddress(text);
            int i = owner(subnets, new IpPrefix(gw, gw.getAddress().length * 8), "--gateway " + text);
            if (gateways[i] != null) {
                throw new IllegalArgumentException("two gateways for subnet " + subnets.get(i));
            }
            gateways[i] = gw;
        }
        IpPrefix[] ranges = new IpPrefix[subnets.size()];
        for (String text : rangeTexts) {
            IpPrefix range = IpPrefix.parse(text);
            if (!range.equals(range.network())) {
                throw new IllegalArgumentException("--ip-range " + text + " has host bits set; the range is "
                        + range.network());
            }
            int i = owner(subnets, range, "--ip-range " + text);
            if (ranges[i] != null) {
                throw new IllegalArgumentException("two ranges for subnet " + subnets.get(i));
            }
            ranges[i] = range;
        }
        List<NetworkConfig.SubnetConfig> configs = new ArrayList<>();
        boolean anyV6 = false;
        for (int i = 0; i < subnets.size(); i++) {
            IpPrefix subnet = subnets.get(i);
            anyV6 |= !subnet.isIpv4();
            NetworkConfig.SubnetConfig config = gateways[i] == null
                    ? Networks.withGateway(subnet) : new NetworkConfig.SubnetConfig(subnet, gateways[i], null);
            config = new NetworkConfig.SubnetConfig(subnet, config.gateway(), ranges[i]);
            try {
                IpamConfig.parse(Map.of("ranges", List.of(List.of(config.toIpam()))));
            } catch (IpamException e) {
                throw new IllegalArgumentException("subnet " + subnet + ": " + e.getMessage(), e);
            }
            configs.add(config);
        }
        configs.sort((a, b) -> Boolean.compare(b.isIpv4(), a.isIpv4()));

        Map<String, String> options = new LinkedHashMap<>();
        boolean isInternal = internal;
        boolean icc = true;
        int mtu = 0;
        String bridge = "";
        for (Map.Entry<String, String> e : rawOptions.entrySet()) {
            String key = OPTION_ALIASES.getOrDefault(e.getKey(), e.getKey());
            String value = e.getValue();
            switch (key) {
                case "icc" -> icc = bool(key, value);
                case "internal" -> {
                    isInternal = bool(key, value);
                    if (internal && !isInternal) {
                        throw new IllegalArgumentException("--internal and -o internal=" + value + " contradict");
                    }
                    value = String.valueOf(isInternal);
                }
                case "bridge.name" -> {
                    if (!Names.isValidIfName(value)) {
                        throw new IllegalArgumentException("-o bridge.name=" + value + ": not a valid interface name "
                                + "(at most 15 bytes, no '/', ':' or whitespace)");
                    }
                    bridge = value;
                }
                case "mtu" -> {
                    try {
                        mtu = Integer.parseInt(value);
                    } catch (NumberFormatException nan) {
                        mtu = -1;
                    }
                    if (mtu < 68 || mtu > 65535) {
                        throw new IllegalArgumentException("-o mtu=" + value + ": expected a number 68..65535");
                    }
                }
                case "ip-masquerade" -> value = String.valueOf(bool(key, value));
                case "host-binding-ip" -> {
                    try {
                        value = IpPrefix.formatAddress(IpPrefix.parseAddress(value));
                    } catch (IllegalArgumentException bad) {
                        throw new IllegalArgumentException("-o host-binding-ip=" + value + ": not an IP address");
                    }
                }
                default -> throw new IllegalArgumentException("unknown option -o " + e.getKey()
                        + " (expected icc, internal, bridge.name, mtu, ip-masquerade or host-binding-ip)");
            }
            options.put(key, value);
        }
        return new Networks.CreateRequest(name, configs, ipv6 || anyV6, isInternal, icc, mtu, bridge, options);
    }

    /** The index of the one subnet that holds {@code prefix}. */
    private static int owner(List<IpPrefix> subnets, IpPrefix prefix, String what) {
        for (int i = 0; i < subnets.size(); i++) {
            IpPrefix s = subnets.get(i);
            if (s.isIpv4() == prefix.isIpv4() && s.prefixLength() <= prefix.prefixLength()
                    && s.contains(prefix.address())) {
                return i;
            }
        }
        throw new IllegalArgumentException(what + " is not inside any --subnet " + subnets);
    }

    private static boolean bool(String key, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw new IllegalArgumentException("-o " + key + "=" + value + ": expected true or false");
        };
    }

    // ---- ls

    @Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true,
            description = "List networks: a table, or their definitions as a JSON array with --format json.")
    static final class Ls implements Callable<Integer> {

        @ParentCommand
        NetworkCommand parent;

        @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
                description = "table or json (default: ${DEFAULT-VALUE}).")
        LsCommand.Format format;

        @Option(names = {"-q", "--quiet"}, description = "Only the names.")
        boolean quiet;

        @Override
        public Integer call() throws CliException {
            Networks networks = parent.networks();
            List<NetworkConfig> list = networks.list();
            if (quiet) {
                list.forEach(n -> System.out.println(n.name()));
            } else if (format == LsCommand.Format.json) {
                List<Object> out = new ArrayList<>();
                list.forEach(n -> out.add(n.toJson()));
                System.out.println(Json.writePretty(out));
            } else {
                List<String[]> rows = new ArrayList<>();
                rows.add(new String[] {"NETWORK ID", "NAME", "DRIVER", "BRIDGE", "SUBNETS", "CONTAINERS"});
                for (NetworkConfig n : list) {
                    int users;
                    try {
                        users = networks.users(n.name()).size();
                    } catch (IOException e) {
                        throw new CliException("list the containers of network " + n.name() + ": " + e.getMessage(), e);
                    }
                    rows.add(new String[] {n.shortId(), n.name(), n.isOverlay() ? "overlay"
                            : NetworkConfig.DRIVER + (DockerNetworks.isDockers(n) ? " (docker)" : ""), n.bridge(),
                            String.join(",", n.subnets().stream().map(s -> s.subnet().toString()).toList())
                                    + (n.internal() ? " (internal)" : ""),
                            Integer.toString(users)});
                }
                System.out.print(LsCommand.table(rows));
            }
            return 0;
        }
    }

    // ---- inspect

    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = {"Show networks as a JSON array: the definition, whether the bridge exists now, the "
                    + "containers on it and every attachment the bridge driver recorded (runtimes' included)."})
    static final class Inspect implements Callable<Integer> {

        @ParentCommand
        NetworkCommand parent;

        @Parameters(arity = "1..*", paramLabel = "NAME", description = "Network names.")
        List<String> names;

        @Option(names = "--etcd", paramLabel = "URL", defaultValue = "${env:JNET_ETCD}",
                description = "For overlay networks: the etcd to read the hosts, their subnets, VTEPs and lease TTLs "
                        + "from (env JNET_ETCD).")
        String etcd;

        @Override
        public Integer call() throws CliException {
            Networks networks = parent.networks();
            List<Object> out = new ArrayList<>();
            boolean failed = false;
            for (String n : names) {
                try {
                    boolean bridge = networks.find(n).map(c -> !c.isOverlay()).orElse(false);
                    out.add(bridge || etcd == null || etcd.isBlank() ? networks.inspect(networks.get(n))
                            : Overlays.inspect(etcd, networks.root(), networks.host(), n));
                } catch (CliException e) {
                    System.err.println("jnet network inspect: " + e.getMessage());
                    failed = true;
                }
            }
            System.out.println(Json.writePretty(out));
            return failed ? Main.EXIT_FAILURE : 0;
        }
    }

    // ---- rm

    @Command(name = "rm", aliases = "remove", mixinStandardHelpOptions = true,
            description = {"Remove networks: their bridge, firewall chains and address store. Refused while a "
                    + "container (or a runtime's attachment) on this host uses the network.",
                    "An overlay network is deleted from etcd with its hosts' subnet claims; each host's daemon then "
                            + "takes down its part (one whose containers still use the network keeps it and logs why)."})
    static final class Rm implements Callable<Integer> {

        @ParentCommand
        NetworkCommand parent;

        @Parameters(arity = "1..*", paramLabel = "NAME", description = "Network names.")
        List<String> names;

        @Option(names = "--etcd", paramLabel = "URL", defaultValue = "${env:JNET_ETCD}",
                description = "For overlay networks: the etcd to delete them from (env JNET_ETCD).")
        String etcd;

        @Override
        public Integer call() throws CliException {
            Networks networks = parent.networks();
            boolean failed = false;
            for (String n : names) {
                try {
                    Optional<NetworkConfig> local = networks.find(n);
                    boolean bridge = local.map(c -> !c.isOverlay()).orElse(false);
                    if (!bridge && etcd != null && !etcd.isBlank()) {
                        networks.removeOverlay(n, etcd);
                    } else if (local.isPresent() && !bridge) {
                        throw new CliException("network " + n + " is an overlay network: removing it needs --etcd URL "
                                + "(or JNET_ETCD)");
                    } else {
                        networks.remove(n);
                    }
                    System.out.println(n);
                } catch (CliException e) {
                    System.err.println("jnet network rm: " + e.getMessage());
                    failed = true;
                }
            }
            return failed ? Main.EXIT_FAILURE : 0;
        }
    }

    // ---- conflist

    @Command(name = "conflist", mixinStandardHelpOptions = true,
            description = {"Print a CNI network configuration list for the network: jnet-bridge with jnet-ipam, "
                    + "the capabilities portMappings, ips and mac, and this state directory as dataDir, so that a "
                    + "runtime (Podman, containerd, ...) attaches containers to the same bridge and address pool."})
    static final class Conflist implements Callable<Integer> {

        @ParentCommand
        NetworkCommand parent;

        @Parameters(index = "0", paramLabel = "NAME", description = "The network's name.")
        String name;

        @Override
        public Integer call() throws CliException {
            Networks networks = parent.networks();
            System.out.println(Json.writePretty(networks.conflist(networks.ensure(name))));
            return 0;
        }
    }
}
