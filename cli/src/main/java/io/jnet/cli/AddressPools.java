package io.jnet.cli;

import io.jnet.cni.IpPrefix;

import java.math.BigInteger;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where the subnets of networks made without {@code --subnet} come from: Docker's default-address-pools. IPv4:
 * 172.17.0.0/16 (kept for the default network {@code bridge}, as docker0 has it), then 172.18.0.0/16 to
 * 172.31.0.0/16, then 192.168.0.0/16 in /20s. IPv6: a /64 of a random unique local prefix ({@code fdXX:XXXX:XXXX::/48},
 * 40 random bits, RFC 4193), as Docker takes for {@code --ipv6} without a subnet. A candidate that overlaps a taken
 * prefix (a route on the host, another network's subnet) is skipped.
 */
final class AddressPools {

    /** A base prefix carved into subnets of {@code size} bits. */
    record Pool(IpPrefix base, int size) {
    }

    static final IpPrefix DEFAULT_BRIDGE_SUBNET = IpPrefix.parse("172.17.0.0/16");

    /** Docker's defaults (libnetwork ipamutils): 172.17-172.31 in /16s, then 192.168.0.0/16 in /20s. */
    static final List<Pool> IPV4 = List.of(
            new Pool(DEFAULT_BRIDGE_SUBNET, 16),
            new Pool(IpPrefix.parse("172.18.0.0/16"), 16),
            new Pool(IpPrefix.parse("172.19.0.0/16"), 16),
            new Pool(IpPrefix.parse("172.20.0.0/14"), 16),
            new Pool(IpPrefix.parse("172.24.0.0/14"), 16),
            new Pool(IpPrefix.parse("172.28.0.0/14"), 16),
            new Pool(IpPrefix.parse("192.168.0.0/16"), 20));

    private static final int ULA_TRIES = 16;
    private static final SecureRandom RANDOM = new SecureRandom();

    private AddressPools() {
    }

    /**
     * The first IPv4 candidate that overlaps nothing taken. The default network tries 172.17.0.0/16 first; other
     * networks leave it to the default network.
     */
    static Optional<IpPrefix> ipv4(boolean defaultNetwork, List<IpPrefix> taken) {
        for (IpPrefix candidate : candidates(IPV4)) {
            if (!defaultNetwork && candidate.equals(DEFAULT_BRIDGE_SUBNET)) {
                continue;
            }
            if (free(candidate, taken)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** A random unique local /64 that overlaps nothing taken. */
    static Optional<IpPrefix> ipv6(List<IpPrefix> taken) {
        for (int i = 0; i < ULA_TRIES; i++) {
            byte[] b = new byte[16];
            b[0] = (byte) 0xfd;
            byte[] globalId = new byte[5];
            RANDOM.nextBytes(globalId);
            System.arraycopy(globalId, 0, b, 1, 5);
            IpPrefix candidate = new IpPrefix(NetworkConfig.address(new BigInteger(1, b), false), 64);
            if (free(candidate, taken)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** Every subnet of the pools, in order. */
    static List<IpPrefix> candidates(List<Pool> pools) {
        List<IpPrefix> out = new ArrayList<>();
        for (Pool pool : pools) {
            IpPrefix base = pool.base();
            BigInteger step = BigInteger.ONE.shiftLeft((base.isIpv4() ? 32 : 128) - pool.size());
            BigInteger end = NetworkConfig.last(base);
            for (BigInteger at = NetworkConfig.first(base); at.compareTo(end) <= 0; at = at.add(step)) {
                InetAddress network = NetworkConfig.address(at, base.isIpv4());
                out.add(new IpPrefix(network, pool.size()));
            }
        }
        return out;
    }

    private static boolean free(IpPrefix candidate, List<IpPrefix> taken) {
        for (IpPrefix t : taken) {
            if (NetworkConfig.overlaps(candidate, t)) {
                return false;
            }
        }
        return true;
    }
}
