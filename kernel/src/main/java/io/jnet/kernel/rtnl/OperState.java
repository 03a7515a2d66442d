package io.jnet.kernel.rtnl;

/** RFC 2863 operational state (IFLA_OPERSTATE), in the kernel's numbering. */
public enum OperState {
    UNKNOWN, NOTPRESENT, DOWN, LOWERLAYERDOWN, TESTING, DORMANT, UP;

    static OperState of(int value) {
        OperState[] all = values();
        return value >= 0 && value < all.length ? all[value] : UNKNOWN;
    }
}
