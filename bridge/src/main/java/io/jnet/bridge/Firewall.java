package io.jnet.bridge;

import io.jnet.cni.IpPrefix;

import java.io.IOException;
import java.net.InetAddress;
import java.util.List;

/**
 * The bridge driver's firewall (DESIGN §3): one {@code inet jnet} table, rules per network and map elements per
 * published port, so that the cost of one ADD or DEL does not grow with the number of containers. Each call is one
 * nf_tables transaction.
 */
interface Firewall extends AutoCloseable {

    /**
     * A network's policy: its bridge and subnets, and Docker's options. {@code brNetfilter} says whether switched
     * traffic passes the IP hooks (bridge-nf-call-iptables), which decides how icc=false is enforced.
     */
    record Network(String name, String bridge, List<IpPrefix> subnets, boolean ipMasq, boolean icc, boolean internal,
                   boolean brNetfilter, Overlay overlay) {
        public Network {
            subnets = List.copyOf(subnets);
        }

        Network(String name, String bridge, List<IpPrefix> subnets, boolean ipMasq, boolean icc, boolean internal,
                boolean brNetfilter) {
            this(name, bridge, subnets, ipMasq, icc, internal, brNetfilter, null);
        }
    }

    /**
     * The overlay that a network's bridge is this host's part of (null for a plain bridge network): traffic between
     * its subnet and the VXLAN device keeps its source address, and only the network's own bridge sends into the
     * device, which isolates overlay networks from each other.
     */
    record Overlay(IpPrefix subnet, String device) {
    }

    /**
     * What one attachment owns in the firewall: its bridge port and the container's MAC behind it ("" when not
     * known), its container addresses and port mappings.
     */
    record Publication(String owner, String port, String mac, List<InetAddress> addresses, List<PortMapping> ports) {
        public Publication {
            addresses = List.copyOf(addresses);
            ports = List.copyOf(ports);
        }
    }

    /**
     * Ensures the table, its chains and the network's rules (re-creating what someone deleted) and adds the
     * publication's elements, in one transaction. A host port that another attachment publishes fails the whole
     * transaction with {@link PortInUseException}.
     */
    void attach(Network network, Publication publication) throws IOException;

    /** Removes the publication's elements; elements that are already gone are fine. */
    void detach(Network network, Publication publication) throws IOException;

    /**
     * Removes every published-port element that leads to one of the publication's addresses, whatever its ports:
     * for an attachment whose record is lost, so its mappings are not known.
     */
    void detachAddresses(Publication publication) throws IOException;

    /** What drifted from what {@link #attach} made, one line each; empty when everything is in place. */
    List<String> check(Network network, Publication publication) throws IOException;

    @Override
    void close();
}
