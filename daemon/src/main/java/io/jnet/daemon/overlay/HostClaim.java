package io.jnet.daemon.overlay;

import io.jnet.cni.CniException;
import io.jnet.cni.IpPrefix;
import io.jnet.cni.Json;
import io.jnet.kernel.rtnl.MacAddress;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One host's claim of a host subnet ({@link Keys#claim}), bound to that host's lease: where its VXLAN device
 * listens ({@code underlay}) and the device's MAC. A peer's route, neighbour and FDB entry come from this alone.
 */
public record HostClaim(IpPrefix hostSubnet, InetAddress underlay, MacAddress vtepMac, String host) {

    /** The peer's VTEP address: its host subnet's network address (flannel's convention). */
    public InetAddress vtep() {
        return hostSubnet.network().address();
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("hostSubnet", hostSubnet.toString());
        m.put("underlay", IpPrefix.formatAddress(underlay));
        m.put("vtepMac", vtepMac.toString());
        m.put("host", host);
        return m;
    }

    public static HostClaim fromJson(Map<String, Object> m) throws CniException {
        String where = "host claim";
        try {
            return new HostClaim(IpPrefix.parse(Json.requireString(m, where, "hostSubnet"), "hostSubnet"),
                    IpPrefix.parseAddress(Json.requireString(m, where, "underlay"), "underlay"),
                    MacAddress.parse(Json.requireString(m, where, "vtepMac")), Json.optString(m, where, "host", ""));
        } catch (IllegalArgumentException e) {
            throw new CniException(io.jnet.cni.ErrorCode.INVALID_CONFIG, where + ": " + e.getMessage());
        }
    }
}
