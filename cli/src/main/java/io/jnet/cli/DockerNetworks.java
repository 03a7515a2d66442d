package io.jnet.cli;

import io.jnet.cni.IpPrefix;
import io.jnet.daemon.docker.NetworkCatalog;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The network store as the daemon's Docker driver sees it: a network Docker makes is created, checked and removed
 * as {@code jnet network create} and {@code rm} do it, with Docker's id, so that the CLI shows and maintains it.
 */
final class DockerNetworks implements NetworkCatalog {

    /**
     * The option that marks a network as Docker's: its addresses are leases of Docker's IPAM pool, so only Docker
     * attaches containers to it.
     */
    static final String OWNER = "owner";
    static final String DOCKER = "docker";

    private final Networks networks;

    static boolean isDockers(NetworkConfig network) {
        return DOCKER.equals(network.options().get(OWNER));
    }

    DockerNetworks(Networks networks) {
        this.networks = networks;
    }

    @Override
    public Network create(Spec spec) throws IOException {
        List<String> subnets = new ArrayList<>();
        List<String> gateways = new ArrayList<>();
        List<String> ranges = new ArrayList<>();
        for (Subnet s : spec.subnets()) {
            subnets.add(s.subnet().toString());
            if (s.gateway() != null) {
                gateways.add(IpPrefix.formatAddress(s.gateway()));
            }
            if (s.ipRange() != null) {
                ranges.add(s.ipRange().toString());
            }
        }
        Networks.CreateRequest asked = NetworkCommand.request(spec.name(), subnets, gateways, ranges, spec.ipv6(),
                spec.internal(), spec.options());
        Map<String, String> options = new LinkedHashMap<>(asked.options());
        options.put(OWNER, DOCKER);
        Networks.CreateRequest request = new Networks.CreateRequest(asked.name(), asked.subnets(), asked.ipv6(),
                asked.internal(), asked.icc(), asked.mtu(), asked.bridge(), options);
        return view(call(() -> networks.create(request, spec.id())));
    }

    @Override
    public Optional<Network> find(String name) throws IOException {
        Optional<NetworkConfig> found = call(() -> networks.find(name));
        return found.isEmpty() ? Optional.empty() : Optional.of(view(found.get()));
    }

    /** Docker's own networks only: a jnet network of the same name is not the one Docker deletes. */
    @Override
    public void remove(String name) throws IOException {
        if (call(() -> networks.find(name)).filter(DockerNetworks::isDockers).isPresent()) {
            call(() -> {
                networks.removeDockers(name);
                return null;
            });
        }
    }

    @Override
    public List<IpPrefix> subnets() throws IOException {
        List<IpPrefix> out = new ArrayList<>();
        for (NetworkConfig n : call(networks::list)) {
            for (NetworkConfig.SubnetConfig s : n.subnets()) {
                out.add(s.subnet());
            }
        }
        return out;
    }

    @Override
    public Optional<IpPrefix> freeSubnet(boolean ipv6, List<IpPrefix> alsoTaken) throws IOException {
        List<IpPrefix> taken = new ArrayList<>(alsoTaken);
        taken.addAll(subnets());
        taken.addAll(networks.hostRoutes());
        return ipv6 ? AddressPools.ipv6(taken) : AddressPools.ipv4(false, taken);
    }

    private Network view(NetworkConfig n) {
        List<Subnet> subnets = new ArrayList<>();
        for (NetworkConfig.SubnetConfig s : n.subnets()) {
            subnets.add(new Subnet(s.subnet(), s.gateway(), s.ipRange()));
        }
        return new Network(n.name(), n.id(), n.bridge(), n.internal(), subnets, n.pluginFields(networks.root()));
    }

    private interface CliCall<T> {
        T call() throws CliException;
    }

    /** The CLI's refusals (a used name, an overlapping subnet, a network in use) in their own words. */
    private static <T> T call(CliCall<T> call) throws IOException {
        try {
            return call.call();
        } catch (CliException e) {
            throw new IOException(e.getMessage(), e);
        }
    }
}
