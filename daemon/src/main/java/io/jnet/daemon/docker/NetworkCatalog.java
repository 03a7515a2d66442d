package io.jnet.daemon.docker;

import io.jnet.cni.IpPrefix;

import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The network definitions that {@code jnet network create} keeps, as the Docker driver needs them: the front-end
 * that owns that store (the {@code jnet} command) implements it, so that a network made through Docker is one of
 * the store's and shows up in {@code jnet network ls/inspect}, {@code jnet gc} and {@code check --repair}.
 */
public interface NetworkCatalog {

    /** One subnet of a new network; a null gateway means the subnet's first address, a null range all of it. */
    record Subnet(IpPrefix subnet, InetAddress gateway, IpPrefix ipRange) {
    }

    /** What {@code docker network create} asked for, with Docker's options as given ({@code -o}). */
    record Spec(String name, String id, List<Subnet> subnets, boolean ipv6, boolean internal,
                Map<String, String> options) {
        public Spec {
            subnets = List.copyOf(subnets);
            options = Map.copyOf(options);
        }
    }

    /**
     * A network of the store: its bridge, whether it is internal, and the jnet-bridge plugin fields (without
     * {@code cniVersion}, {@code name} and {@code type}) that its attachments are made with.
     */
    record Network(String name, String id, String bridge, boolean internal, List<Subnet> subnets,
                   Map<String, Object> pluginFields) {
        public Network {
            subnets = List.copyOf(subnets);
            pluginFields = Map.copyOf(pluginFields);
        }
    }

    /**
     * Creates the network. IllegalArgumentException names what is wrong with the request (an unknown option, a bad
     * value); IOException what conflicts (a used name, a subnet that overlaps another network's) or failed.
     */
    Network create(Spec spec) throws IOException;

    Optional<Network> find(String name) throws IOException;

    /** Removes the network and what the kernel holds of it; one that does not exist is fine. */
    void remove(String name) throws IOException;

    /** The subnets of every network in the store. */
    List<IpPrefix> subnets() throws IOException;

    /**
     * The first subnet of the default pools (as {@code jnet network create} picks one) that overlaps no route of the
     * host, no network and none of {@code alsoTaken}.
     */
    Optional<IpPrefix> freeSubnet(boolean ipv6, List<IpPrefix> alsoTaken) throws IOException;
}
