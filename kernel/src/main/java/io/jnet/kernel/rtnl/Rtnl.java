package io.jnet.kernel.rtnl;

/** rtnetlink constants from {@code linux/rtnetlink.h} and {@code linux/if_link.h}. */
final class Rtnl {
    static final int RTM_NEWLINK = 16;
    static final int RTM_DELLINK = 17;
    static final int RTM_GETLINK = 18;
    static final int RTM_SETLINK = 19;

    static final int AF_UNSPEC = 0;
    static final int IFINFOMSG_LEN = 16;

    static final int IFLA_ADDRESS = 1;
    static final int IFLA_IFNAME = 3;
    static final int IFLA_MTU = 4;
    static final int IFLA_MASTER = 10;
    static final int IFLA_LINKINFO = 18;
    static final int IFLA_EXT_MASK = 29;
    static final int IFLA_INFO_KIND = 1;

    static final int RTEXT_FILTER_SKIP_STATS = 1 << 3;

    private Rtnl() {
    }
}
