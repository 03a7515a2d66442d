package io.jnet.bridge;

import io.jnet.cni.CniException;
import io.jnet.cni.ErrorCode;
import io.jnet.cni.IpPrefix;
import io.jnet.cni.Json;
import io.jnet.cni.Names;
import io.jnet.cni.NetConf;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Map;

/**
 * The {@code jnet-bridge} config. The reference bridge plugin's fields mean what they mean there; the defaults
 * follow Docker's default network instead (a gateway on the bridge, a default route, masquerade), and Docker's
 * options come on top: {@code icc}, {@code internal}, {@code hostBindingIp}. Defaults that differ from the
 * reference plugin: isGateway, isDefaultGateway, ipMasq and hairpinMode are true.
 *
 * @param root the state root: {@code dataDir} from the config, else JNET_ROOT, else /var/lib/jnet
 */
public record BridgeConf(String network, String bridge, int mtu, boolean isGateway, boolean isDefaultGateway,
                         boolean forceAddress, boolean ipMasq, boolean hairpinMode, boolean promiscMode, boolean icc,
                         boolean internal, InetAddress hostBindingIp, String ipamType, Path root) {

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
        return new BridgeConf(conf.name(), bridge, mtu, isGateway, isDefaultGateway,
                Json.optBoolean(raw, where, "forceAddress", false),
                // an internal network has no way out, so nothing to masquerade
                Json.optBoolean(raw, where, "ipMasq", true) && !internal,
                // Docker without its userland proxy sets hairpin mode too: a container reaching its own published port
                // through the host's address is routed back out of the port it came in by
                Json.optBoolean(raw, where, "hairpinMode", true), Json.optBoolean(raw, where, "promiscMode", false),
                Json.optBoolean(raw, where, "icc", true), internal, hostBindingIp, ipamType,
                dataDir.isEmpty() ? defaultRoot : Path.of(dataDir));
    }
}
