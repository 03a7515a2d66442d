package io.jnet.kernel.rtnl;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * An IP address on a link. {@code toString} gives "10.0.0.2/24 dev 4".
 *
 * @param index     the link's index
 * @param broadcast IPv4 only: the broadcast address (IFA_BROADCAST); empty for none
 * @param flags     IFA_F_* flags, e.g. {@link #IFA_F_NODAD}
 * @param scope     RT_SCOPE_*: 0 (universe) for ordinary addresses, 253 link, 254 host
 */
public record Address(int index, InetAddress address, int prefixLength, Optional<InetAddress> broadcast, int flags,
                      int scope) {

    public static final int IFA_F_NODAD = 0x02;
    public static final int IFA_F_DADFAILED = 0x08;
    public static final int IFA_F_TENTATIVE = 0x40;
    public static final int IFA_F_PERMANENT = 0x80;
    public static final int IFA_F_NOPREFIXROUTE = 0x200;

    public Address {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(broadcast, "broadcast");
        Family family = Family.of(address);
        if (prefixLength < 0 || prefixLength > family.bits()) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " out of range for " + address);
        }
        if (broadcast.isPresent() && (family != Family.INET || Family.of(broadcast.get()) != Family.INET)) {
            throw new IllegalArgumentException("a broadcast address needs IPv4 on both sides: " + address);
        }
        if (index <= 0) {
            throw new IllegalArgumentException("link index must be positive: " + index);
        }
    }

    public static Address of(int index, InetAddress address, int prefixLength) {
        return new Address(index, address, prefixLength, Optional.empty(), 0, 0);
    }

    public Address withBroadcast(InetAddress broadcast) {
        return new Address(index, address, prefixLength, Optional.of(broadcast), flags, scope);
    }

    public Address withFlags(int flags) {
        return new Address(index, address, prefixLength, broadcast, flags, scope);
    }

    public Family family() {
        return Family.of(address);
    }

    @Override
    public String toString() {
        return address.getHostAddress() + "/" + prefixLength + " dev " + index;
    }
}
