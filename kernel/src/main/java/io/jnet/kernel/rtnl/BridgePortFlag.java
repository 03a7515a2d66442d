package io.jnet.kernel.rtnl;

/**
 * Bridge port settings that are on or off, with their IFLA_BRPORT_* attribute. Declared in the order iproute2's
 * {@code bridge link set} writes them, so that our requests match its bytes.
 */
public enum BridgePortFlag {
    /** Reflect frames back out of the port they came in on (IFLA_BRPORT_MODE), so a container can reach itself. */
    HAIRPIN(Rtnl.IFLA_BRPORT_MODE),
    /** Learn source MAC addresses on this port. */
    LEARNING(Rtnl.IFLA_BRPORT_LEARNING),
    /** Forward only to and from non-isolated ports. */
    ISOLATED(Rtnl.IFLA_BRPORT_ISOLATED);

    private final int attribute;

    BridgePortFlag(int attribute) {
        this.attribute = attribute;
    }

    int attribute() {
        return attribute;
    }
}
