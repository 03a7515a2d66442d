package io.jnet.cli;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/** The host veth name the bridge plugin derives, computed independently of its code. */
final class BridgeNames {
    private static final BigInteger FNV_OFFSET = new BigInteger("cbf29ce484222325", 16);
    private static final BigInteger FNV_PRIME = new BigInteger("100000001b3", 16);
    private static final BigInteger MOD = BigInteger.ONE.shiftLeft(64);

    private BridgeNames() {
    }

    /** "jv" and the low 48 bits of the 64-bit FNV-1a hash of "network\0containerId\0ifName", 12 hex digits. */
    static String hostVeth(String network, String containerId, String ifName) {
        BigInteger h = FNV_OFFSET;
        for (byte b : (network + "\0" + containerId + "\0" + ifName).getBytes(StandardCharsets.UTF_8)) {
            h = h.xor(BigInteger.valueOf(b & 0xff)).multiply(FNV_PRIME).mod(MOD);
        }
        String hex = h.mod(BigInteger.ONE.shiftLeft(48)).toString(16);
        return "jv" + "0".repeat(12 - hex.length()) + hex;
    }
}
