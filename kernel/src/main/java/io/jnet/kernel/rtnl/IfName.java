package io.jnet.kernel.rtnl;

import java.nio.charset.StandardCharsets;

/** The kernel's rules for an interface name (dev_valid_name): 1 to 15 bytes, no '/', ':' or white space. */
final class IfName {
    static final int MAX_LENGTH = 15;

    private IfName() {
    }

    static String check(String name, String role) {
        if (name == null || name.isEmpty() || name.equals(".") || name.equals("..")
                || name.getBytes(StandardCharsets.UTF_8).length > MAX_LENGTH) {
            throw new IllegalArgumentException("invalid " + role + " name \"" + name + "\": 1 to " + MAX_LENGTH
                    + " bytes, not \".\" or \"..\"");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == ':' || Character.isWhitespace(c) || c == 0) {
                throw new IllegalArgumentException("invalid " + role + " name \"" + name
                        + "\": it must not contain '/', ':', white space or NUL");
            }
        }
        return name;
    }
}
