package io.jnet.kernel.nft;

import java.nio.charset.StandardCharsets;

/** Object names: nf_tables accepts at most NFT_NAME_MAXLEN - 1 bytes. */
final class Names {
    static final int MAX_BYTES = 255;

    private Names() {
    }

    static String check(String what, String name) {
        int n = name.getBytes(StandardCharsets.UTF_8).length;
        if (n == 0 || n > MAX_BYTES || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("invalid " + what + " name: \"" + name + "\"");
        }
        return name;
    }
}
