package io.jnet.bridge;

import io.jnet.cni.CniException;
import io.jnet.cni.ErrorCode;
import io.jnet.cni.IpPrefix;
import io.jnet.cni.Json;
import io.jnet.cni.Names;
import io.jnet.cni.NetConf;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Map;

/**
 * The {@code jnet-bridge} config. The reference bridge plugin's fields mean what they mean there; the defaults
 * follow Docker's default network instead (a gateway on the bridge, a default route, masquerade), and Docker's
 * options come on top: {@code icc}, {@code internal}, {@code hostBindingIp}. Defaults that differ from the
 * reference plugin: isGateway, isDefaultGateway, ipMasq and hairpinMode are true.
 *
 * @param root    the state root: {@code dataDir} from the config, else JNET_ROOT, else /var/lib/jnet
 * @param overlay for an overlay network ({@code "overlay": true}, resolved by {@link OverlayRecord}), its subnet
 *                ({@code overlaySubnet}) and VXLAN device ({@code overlayDevice}); null otherwise
 */
public record BridgeConf(String network, String bridge, int mtu, boolean isGateway, boolean isDefaultGateway,
                         boolean forceAddress, boolean ipMasq, boolean hairpinMode, boolean promiscMode, boolean icc,
                         boolean internal, InetAddress hostBindingIp, String ipamType, Path root,
                         Firewall.Overlay overlay) {

    public static final String DEFAULT_BRIDGE = "jnet0";

    static BridgeConf parse(NetConf conf, Path defaultRoot) throws CniException {
        Map<String, Object> raw = conf.raw();
        String where = "config";
        String bridge = Json.optString(raw, where, "bridge", DEFAULT_BRIDGE);
        if (!Names.isValidIfName(bridge)) {
            throw new CniException(ErrorCode.INVALID_CONFIG, "bridge: \"" + bridge + "\" is not a valid interface name");
        }
        int mtu = Json.optInt(raw, where, "mtu", 0);
        if (mtu != 0 && (mtu < 68 || mtu > 65535)) {
            throw new CniException(ErrorCode.INVALID_CONFIG, "mtu: " + mtu + " is outside 68..65535");
        }
        boolean isDefaultGateway = Json.optBoolean(raw, where, "isDefaultGateway", true);
        // as in the reference plugin, a default gateway implies a gateway on the bridge
        boolean isGateway = Json.optBoolean(raw, where, "isGateway", true) || isDefaultGateway;
        boolean internal = Json.optBoolean(raw, where, "internal", false);
        String hostBinding = Json.optString(raw, where, "hostBindingIp", "");
        InetAddress hostBindingIp = hostBinding.isEmpty() ? null : IpPrefix.parseAddress(hostBinding, "hostBindingIp");
        if (hostBindingIp != null && hostBindingIp.isAnyLocalAddress()) {
            hostBindingIp = null;
        }
        Map<String, Object> ipam = conf.ipamRaw();
        String ipamType = Json.optString(ipam, "ipam", "type", "");
        if (ipamType.isEmpty()) {
            throw new CniException(ErrorCode.INVALID_CONFIG, "ipam.type is required (for example \"jnet-ipam\")");
        }
        if (ipamType.contains("/")) {
            throw new CniException(ErrorCode.INVALID_CONFIG, "ipam.type must be a plugin name, not a path: " + ipamType);
        }
        String dataDir = Json.optString(raw, where, "dataDir", "");
        String overlaySubnet = Json.optString(raw, where, "overlaySubnet", "");
        Firewall.Overlay overlay = overlaySubnet.isEmpty() ? null : new Firewall.Overlay(
                IpPrefix.parse(overlaySubnet, "overlaySubnet").network(),
                Json.optString(raw, where, "overlayDevice", OverlayRecord.vxlanDevice(conf.name())));
        return new BridgeConf(conf.name(), bridge, mtu, isGateway, isDefaultGateway,
                Json.optBoolean(raw, where, "forceAddress", false),
                // an internal network has no way out, so nothing to masquerade
                Json.optBoolean(raw, where, "ipMasq", true) && !internal,
                // Docker without its userland proxy sets hairpin mode too: a container reaching its own published port
                // through the host's address is routed back out of the port it came in by; a promiscuous bridge does
                // that instead, and the two do not go together (as in the reference plugin)
                Json.optBoolean(raw, where, "hairpinMode", !Json.optBoolean(raw, where, "promiscMode", false)),
                Json.optBoolean(raw, where, "promiscMode", false),
                Json.optBoolean(raw, where, "icc", true), internal, hostBindingIp, ipamType,
                dataDir.isEmpty() ? defaultRoot : Path.of(dataDir), overlay);
    }

    /**
     * Refuses, with code 7 naming the option, what the reference bridge plugin offers and jnet-bridge does not do, and
     * what does not fit together: a setting a user relies on (for isolation, say) is never silently ignored. For ADD
     * only: a DEL or GC of such a config has nothing to undo and must still succeed.
     */
    static void refuseUnsupported(NetConf conf) throws CniException {
        Map<String, Object> raw = conf.raw();
        long vlan = Json.optLong(raw, "", "vlan", 0);
        if (vlan < 0 || vlan > 4094) {
            throw new CniException(ErrorCode.INVALID_CONFIG, "vlan: " + vlan + " is not a VLAN id (1..4094, 0 for none)");
        }
        if (vlan != 0) {
            throw vlanRefused(vlan);
        }
        if (!Json.optArray(raw, "", "vlanTrunk").isEmpty()) {
            throw unsupported("vlanTrunk", "VLAN trunk ports are not implemented by jnet-bridge");
        }
        for (String option : new String[] {"macspoofchk", "disableContainerInterface", "portIsolation"}) {
            if (Json.optBoolean(raw, "", option, false)) {
                throw unsupported(option, option + " is not implemented by jnet-bridge");
            }
        }
        if (Json.optBoolean(raw, "", "hairpinMode", false) && Json.optBoolean(raw, "", "promiscMode", false)) {
            throw new CniException(ErrorCode.INVALID_CONFIG, "hairpinMode and promiscMode cannot both be true",
                    "a promiscuous bridge already sends a container's hairpinned traffic back to it");
        }
        Map<String, Object> dns = Json.optObject(raw, "", "dns");
        Json.optStringList(dns, "dns", "nameservers");
        Json.optString(dns, "dns", "domain", "");
        Json.optStringList(dns, "dns", "search");
        Json.optStringList(dns, "dns", "options");
    }

    private static CniException vlanRefused(long vlan) throws CniException {
        boolean kernelHasIt;
        try {
            kernelHasIt = VlanSupport.kernelHasVlanFiltering();
        } catch (IOException e) {
            throw new CniException(ErrorCode.IO_FAILURE, "vlan: cannot tell whether the kernel filters VLANs on "
                    + "bridges: " + e.getMessage(), "", e);
        }
        return kernelHasIt
                ? unsupported("vlan", "vlan " + vlan + ": VLAN tagging of bridge ports is not implemented by jnet-bridge")
                : unsupported("vlan", "vlan " + vlan + ": this kernel has no bridge VLAN filtering "
                        + "(CONFIG_BRIDGE_VLAN_FILTERING), so the VLAN could not be enforced");
    }

    private static CniException unsupported(String option, String msg) {
        return new CniException(ErrorCode.INVALID_CONFIG, msg, "remove \"" + option + "\" from the network config");
    }
}
