package io.jnet.ipam;

import java.nio.charset.StandardCharsets;

/**
 * The names that become paths in the store: CNI's {@code ^[a-zA-Z0-9][a-zA-Z0-9_.\-]*$} for network names and
 * container ids (so never "", "." or ".." and never a '/'), and the kernel's rules for interface names. Checked by
 * hand: java.util.regex would cost start-up time on every plugin call.
 */
final class Names {

    /** IFNAMSIZ - 1. */
    static final int MAX_IFNAME_BYTES = 15;
    /** NAME_MAX: an owner record is named {@code <container id>@<ifname>}. */
    static final int MAX_FILE_NAME = 255;

    private Names() {
    }

    static String networkProblem(String name) {
        if (!isCniName(name)) {
            return "invalid network name \"" + name + "\": it must match ^[a-zA-Z0-9][a-zA-Z0-9_.\\-]*$";
        }
        return name.length() > MAX_FILE_NAME ? "network name is longer than " + MAX_FILE_NAME + " characters" : null;
    }

    static String containerIdProblem(String id) {
        if (id == null || id.isEmpty()) {
            return "missing container id";
        }
        if (!isCniName(id)) {
            return "invalid container id \"" + id + "\": it must match ^[a-zA-Z0-9][a-zA-Z0-9_.\\-]*$";
        }
        return id.length() + 1 + MAX_IFNAME_BYTES > MAX_FILE_NAME
                ? "container id is longer than " + (MAX_FILE_NAME - 1 - MAX_IFNAME_BYTES) + " characters" : null;
    }

    /** The kernel's dev_valid_name plus the IFNAMSIZ limit. */
    static String ifnameProblem(String name) {
        if (name == null || name.isEmpty()) {
            return "missing interface name";
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_IFNAME_BYTES) {
            return "interface name \"" + name + "\" is longer than " + MAX_IFNAME_BYTES + " bytes";
        }
        if (name.equals(".") || name.equals("..")) {
            return "interface name must not be \"" + name + "\"";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == ':' || Character.isWhitespace(c) || Character.isSpaceChar(c) || c < 0x20) {
                return "interface name \"" + name + "\" contains '/', ':', whitespace or a control character";
            }
        }
        return null;
    }

    private static boolean isCniName(String name) {
        if (name == null || name.isEmpty() || !isAlnum(name.charAt(0))) {
            return false;
        }
        for (int i = 1; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!isAlnum(c) && c != '_' && c != '.' && c != '-') {
                return false;
            }
        }
        return true;
    }

    private static boolean isAlnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }
}
