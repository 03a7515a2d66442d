package io.jnet.daemon.overlay;

import io.jnet.cni.CniException;
import io.jnet.cni.IpPrefix;
import io.jnet.cni.Json;
import io.jnet.cni.Names;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An overlay network as etcd holds it ({@link Keys#network}): its subnet, cut into host subnets of
 * {@code hostSubnetLength}, and its VXLAN network identifier.
 */
public record OverlayNetwork(String name, IpPrefix subnet, int hostSubnetLength, int vni, Instant created) {

    /** VNIs that {@code network create} picks by itself start here, as Docker's overlay VNIs do. */
    public static final int FIRST_VNI = 4096;

    public OverlayNetwork {
        if (!Names.isValidName(name)) {
            throw new IllegalArgumentException("invalid network name \"" + name + "\"");
        }
        if (!subnet.isIpv4() || !subnet.equals(subnet.network())) {
            throw new IllegalArgumentException("--subnet " + subnet + ": an IPv4 network address without host bits");
        }
        if (hostSubnetLength <= subnet.prefixLength() || hostSubnetLength > 30) {
            throw new IllegalArgumentException("--host-subnet-len " + hostSubnetLength + ": must be longer than /"
                    + subnet.prefixLength() + " and at most /30");
        }
        if (hostSubnetLength - subnet.prefixLength() > 16) {
            throw new IllegalArgumentException("--host-subnet-len " + hostSubnetLength + ": more than 65536 host "
                    + "subnets in " + subnet);
        }
        if (vni < 1 || vni > 0xffffff) {
            throw new IllegalArgumentException("--vni " + vni + ": expected 1..16777215");
        }
    }

    /**
     * How many host subnets a host can claim. The first one is left out, as flannel does: its network address is
     * the overlay's own.
     */
    public int hostSubnets() {
        return (1 << (hostSubnetLength - subnet.prefixLength())) - 1;
    }

    /** Host subnet {@code i}, 0 ≤ i < {@link #hostSubnets()}. */
    public IpPrefix hostSubnet(int i) {
        BigInteger base = new BigInteger(1, subnet.address().getAddress());
        BigInteger value = base.add(BigInteger.valueOf(i + 1L).shiftLeft(32 - hostSubnetLength));
        byte[] raw = value.toByteArray();
        byte[] out = new byte[4];
        System.arraycopy(raw, Math.max(0, raw.length - 4), out, Math.max(0, 4 - raw.length), Math.min(4, raw.length));
        try {
            return new IpPrefix(InetAddress.getByAddress(out), hostSubnetLength);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether {@code prefix} is one of this network's host subnets. */
    public boolean isHostSubnet(IpPrefix prefix) {
        return prefix.prefixLength() == hostSubnetLength && prefix.equals(prefix.network())
                && subnet.contains(prefix.address()) && !prefix.address().equals(subnet.address());
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("driver", "overlay");
        m.put("subnet", subnet.toString());
        m.put("hostSubnetLength", (long) hostSubnetLength);
        m.put("vni", (long) vni);
        m.put("created", created.toString());
        return m;
    }

    public static OverlayNetwork fromJson(Map<String, Object> m) throws CniException {
        String where = "overlay network";
        try {
            return new OverlayNetwork(Json.requireString(m, where, "name"),
                    IpPrefix.parse(Json.requireString(m, where, "subnet"), "subnet"),
                    Json.optInt(m, where, "hostSubnetLength", 24), Json.optInt(m, where, "vni", 0),
                    Instant.parse(Json.requireString(m, where, "created")));
        } catch (RuntimeException e) {
            throw new CniException(io.jnet.cni.ErrorCode.INVALID_CONFIG, where + ": " + e.getMessage());
        }
    }
}
