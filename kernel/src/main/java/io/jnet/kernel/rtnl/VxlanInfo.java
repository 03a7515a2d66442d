package io.jnet.kernel.rtnl;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * The VXLAN parameters of a link (its IFLA_INFO_DATA): what a {@link LinkSpec.Vxlan} asks for and what
 * {@link Link#vxlan} reports, so that a converger can compare the two with {@code equals}. There is no remote or
 * group: peers are static FDB entries ({@link FdbEntry}), so nothing floods.
 *
 * @param vni      the VXLAN network identifier, 24 bits
 * @param local    the source address of the encapsulating packets (the VTEP's underlay address); empty lets the
 *                 kernel pick one per packet
 * @param port     the UDP destination port
 * @param learning whether the device learns remote MACs from received packets (off for static peers)
 * @param underlay the index of the underlay link the encapsulated packets leave by (IFLA_VXLAN_LINK), or 0
 */
public record VxlanInfo(int vni, Optional<InetAddress> local, int port, boolean learning, int underlay) {

    /** The IANA port; the kernel's own default (8472) is the pre-standard one. */
    public static final int IANA_PORT = 4789;

    public VxlanInfo {
        if (vni < 0 || vni > 0xffffff) {
            throw new IllegalArgumentException("VNI out of range (0-16777215): " + vni);
        }
        Objects.requireNonNull(local, "local");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("UDP port out of range: " + port);
        }
        if (underlay < 0) {
            throw new IllegalArgumentException("underlay link index must not be negative: " + underlay);
        }
    }

    /** VNI {@code vni} on the IANA port, learning off, no fixed local address or underlay link. */
    public static VxlanInfo of(int vni) {
        return new VxlanInfo(vni, Optional.empty(), IANA_PORT, false, 0);
    }

    public VxlanInfo withLocal(InetAddress local) {
        return new VxlanInfo(vni, Optional.of(local), port, learning, underlay);
    }

    public VxlanInfo withPort(int port) {
        return new VxlanInfo(vni, local, port, learning, underlay);
    }

    public VxlanInfo withLearning(boolean learning) {
        return new VxlanInfo(vni, local, port, learning, underlay);
    }

    public VxlanInfo withUnderlay(int underlay) {
        return new VxlanInfo(vni, local, port, learning, underlay);
    }
}
