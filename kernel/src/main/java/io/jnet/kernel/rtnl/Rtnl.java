package io.jnet.kernel.rtnl;

/**
 * rtnetlink constants from {@code linux/rtnetlink.h}, {@code linux/if_link.h}, {@code linux/if_addr.h} and
 * {@code linux/neighbour.h}.
 */
final class Rtnl {
    static final int RTM_NEWLINK = 16;
    static final int RTM_DELLINK = 17;
    static final int RTM_GETLINK = 18;
    static final int RTM_SETLINK = 19;
    static final int RTM_NEWADDR = 20;
    static final int RTM_DELADDR = 21;
    static final int RTM_GETADDR = 22;
    static final int RTM_NEWROUTE = 24;
    static final int RTM_DELROUTE = 25;
    static final int RTM_GETROUTE = 26;
    static final int RTM_NEWNEIGH = 28;
    static final int RTM_DELNEIGH = 29;
    static final int RTM_GETNEIGH = 30;

    static final int AF_UNSPEC = 0;
    static final int AF_INET = 2;
    static final int AF_BRIDGE = 7;
    static final int AF_INET6 = 10;

    static final int IFINFOMSG_LEN = 16;
    static final int IFADDRMSG_LEN = 8;
    static final int RTMSG_LEN = 12;
    static final int NDMSG_LEN = 12;

    // struct ifinfomsg attributes
    static final int IFLA_ADDRESS = 1;
    static final int IFLA_IFNAME = 3;
    static final int IFLA_MTU = 4;
    static final int IFLA_LINK = 5;
    static final int IFLA_MASTER = 10;
    static final int IFLA_PROTINFO = 12;
    static final int IFLA_OPERSTATE = 16;
    static final int IFLA_LINKINFO = 18;
    static final int IFLA_NET_NS_FD = 28;
    static final int IFLA_EXT_MASK = 29;
    static final int IFLA_LINK_NETNSID = 37;

    static final int IFLA_INFO_KIND = 1;
    static final int IFLA_INFO_DATA = 2;
    static final int IFLA_INFO_SLAVE_KIND = 4;
    static final int IFLA_INFO_SLAVE_DATA = 5;

    static final int IFLA_BR_VLAN_FILTERING = 7;
    static final int VETH_INFO_PEER = 1;

    static final int IFLA_VXLAN_ID = 1;
    static final int IFLA_VXLAN_LINK = 3;
    static final int IFLA_VXLAN_LOCAL = 4;
    static final int IFLA_VXLAN_LEARNING = 7;
    static final int IFLA_VXLAN_PORT = 15;
    static final int IFLA_VXLAN_LOCAL6 = 17;

    static final int IFLA_BRPORT_MODE = 4;
    static final int IFLA_BRPORT_LEARNING = 8;
    static final int IFLA_BRPORT_ISOLATED = 33;

    static final int RTEXT_FILTER_VF = 1;
    static final int RTEXT_FILTER_SKIP_STATS = 1 << 3;

    // struct ifaddrmsg attributes
    static final int IFA_ADDRESS = 1;
    static final int IFA_LOCAL = 2;
    static final int IFA_BROADCAST = 4;
    static final int IFA_FLAGS = 8;

    // struct rtmsg attributes
    static final int RTA_DST = 1;
    static final int RTA_OIF = 4;
    static final int RTA_GATEWAY = 5;
    static final int RTA_PRIORITY = 6;
    static final int RTA_METRICS = 8;
    static final int RTA_TABLE = 15;

    static final int RTAX_MTU = 2;
    static final int RTAX_ADVMSS = 8;

    // struct ndmsg attributes (linux/neighbour.h)
    static final int NDA_DST = 1;
    static final int NDA_LLADDR = 2;
    static final int NDA_IFINDEX = 8;

    static final int RT_TABLE_UNSPEC = 0;
    static final int RT_SCOPE_NOWHERE = 255;
    static final int RTN_UNSPEC = 0;

    private Rtnl() {
    }
}
