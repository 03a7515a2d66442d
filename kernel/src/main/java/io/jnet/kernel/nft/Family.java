package io.jnet.kernel.nft;

/** A table's address family (the NFPROTO_* value in nfgenmsg), named as nft names it. */
public enum Family {
    INET(1, "inet"), IP(2, "ip"), ARP(3, "arp"), NETDEV(5, "netdev"), BRIDGE(7, "bridge"), IP6(10, "ip6");

    final int wire;
    private final String nftName;

    Family(int wire, String nftName) {
        this.wire = wire;
        this.nftName = nftName;
    }

    static Family of(int wire) {
        for (Family f : values()) {
            if (f.wire == wire) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown nf_tables family " + wire);
    }

    @Override
    public String toString() {
        return nftName;
    }
}
