package io.jnet.cli;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

/** The host veth name the bridge plugin derives, computed independently of its code. */
final class BridgeNames {
    private BridgeNames() {
    }

    static String hostVeth(String network, String containerId, String ifName) throws Exception {
        byte[] hash = MessageDigest.getInstance("SHA-256")
                .digest((network + "\0" + containerId + "\0" + ifName).getBytes(StandardCharsets.UTF_8));
        return "jv" + HexFormat.of().formatHex(hash, 0, 6);
    }
}
