package io.jnet.cni;

import java.nio.charset.StandardCharsets;

/**
 * Validation of the names that arrive from input and may become paths or kernel object names: container ids,
 * network names and interface names. The rules are libcni's, checked by hand because {@code java.util.regex}
 * would cost start-up time on every plugin call.
 */
public final class Names {

    /** IFNAMSIZ - 1: the longest interface name the kernel accepts, in bytes. */
    public static final int MAX_IFNAME_BYTES = 15;

    private Names() {
    }

    /** {@code ^[a-zA-Z0-9][a-zA-Z0-9_.\-]*$}: never empty, never "." or "..", never contains '/'. */
    public static boolean isValidName(String name) {
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

    /** The kernel's {@code dev_valid_name} plus the IFNAMSIZ limit. */
    public static boolean isValidIfName(String name) {
        return ifNameProblem(name) == null;
    }

    /** Container id from {@code CNI_CONTAINERID}: code 4 when invalid. */
    public static void checkContainerId(String id) throws CniException {
        if (id == null || id.isEmpty()) {
            throw new CniException(ErrorCode.INVALID_ENVIRONMENT, "missing containerID");
        }
        if (!isValidName(id)) {
            throw new CniException(ErrorCode.INVALID_ENVIRONMENT, "invalid characters in containerID", id);
        }
    }

    /** Network name from the config: code 7 when invalid. */
    public static void checkNetworkName(String name) throws CniException {
        if (name == null || name.isEmpty()) {
            throw new CniException(ErrorCode.INVALID_CONFIG, "missing network name");
        }
        if (!isValidName(name)) {
            throw new CniException(ErrorCode.INVALID_CONFIG, "invalid characters found in network name", name);
        }
    }

    /** Interface name from {@code CNI_IFNAME}: code 4 when invalid. */
    public static void checkIfName(String name) throws CniException {
        String problem = ifNameProblem(name);
        if (problem != null) {
            throw new CniException(ErrorCode.INVALID_ENVIRONMENT, problem, name == null ? "" : name);
        }
    }

    private static String ifNameProblem(String name) {
        if (name == null || name.isEmpty()) {
            return "interface name is empty";
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_IFNAME_BYTES) {
            return "interface name is too long (at most " + MAX_IFNAME_BYTES + " bytes)";
        }
        if (name.equals(".") || name.equals("..")) {
            return "interface name is . or ..";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == ':' || Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                return "interface name contains / or : or whitespace characters";
            }
        }
        return null;
    }

    private static boolean isAlnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }
}
