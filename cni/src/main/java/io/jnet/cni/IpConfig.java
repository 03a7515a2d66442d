package io.jnet.cni;

import java.net.InetAddress;

/**
 * An address in a result. {@code gateway} is null when absent; {@code interfaceIndex} indexes
 * {@link Result#interfaces()} and is -1 when absent (as in a delegated IPAM result).
 */
public record IpConfig(IpPrefix address, InetAddress gateway, int interfaceIndex) {

    public IpConfig {
        if (address == null) {
            throw new IllegalArgumentException("ip address is null");
        }
        if (interfaceIndex < -1) {
            throw new IllegalArgumentException("interface index " + interfaceIndex + " < -1");
        }
        if (gateway != null && gateway.getAddress().length != address.address().getAddress().length) {
            throw new IllegalArgumentException("gateway " + IpPrefix.formatAddress(gateway)
                    + " is not in the family of " + address);
        }
    }

    public IpConfig(IpPrefix address, InetAddress gateway) {
        this(address, gateway, -1);
    }
}
