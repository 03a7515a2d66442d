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
    /**
     * The longest container id: the stores name a file {@code <id>@<ifname>.json} and write it through a temp file
     * {@code .tmp-<name>-<pid>}, which must stay within NAME_MAX (255); 200 leaves room. Runtimes use 64.
     */
    public static final int MAX_CONTAINER_ID_LENGTH = 200;
    /** The longest network name: it names directories and, prefixed, nf_tables chains (at most 255 bytes). */
    public static final int MAX_NETWORK_NAME_LENGTH = 128;
    /** How much of a value an error message quotes. */
    private static final int QUOTE_LIMIT = 80;

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

    /** Container id from {@code CNI_CONTAINERID}: code 4 naming the variable when invalid. */
    public static void checkContainerId(String id) throws CniException {
        if (id == null || id.isEmpty()) {
            throw new CniException(ErrorCode.INVALID_ENVIRONMENT, "CNI_CONTAINERID is missing");
        }
        if (!isValidName(id)) {
            throw new CniException(ErrorCode.INVALID_ENVIRONMENT, "CNI_CONTAINERID has invalid characters: it must "
                    + "match ^[a-zA-Z0-9][a-zA-Z0-9_.\\-]*$", cut(id));
        }
        if (id.length() > MAX_CONTAINER_ID_LENGTH) {
            throw new CniException(ErrorCode.INVALID_ENVIRONMENT, "CNI_CONTAINERID is longer than "
                    + MAX_CONTAINER_ID_LENGTH + " characters", cut(id));
        }
    }

    /** Network name from the config: code 7 when invalid. */
    public static void checkNetworkName(String name) throws CniException {
        if (name == null || name.isEmpty()) {
            throw new CniException(ErrorCode.INVALID_CONFIG, "missing network name");
        }
        if (!isValidName(name)) {
            throw new CniException(ErrorCode.INVALID_CONFIG, "invalid characters found in network name", cut(name));
        }
        if (name.length() > MAX_NETWORK_NAME_LENGTH) {
            throw new CniException(ErrorCode.INVALID_CONFIG, "network name is longer than " + MAX_NETWORK_NAME_LENGTH
                    + " characters", cut(name));
        }
    }

    /** Interface name from {@code CNI_IFNAME}: code 4 naming the variable when invalid. */
    public static void checkIfName(String name) throws CniException {
        String problem = ifNameProblem(name);
        if (problem != null) {
            throw new CniException(ErrorCode.INVALID_ENVIRONMENT, "CNI_IFNAME: " + problem,
                    name == null ? "" : cut(name));
        }
    }

    /**
     * A value as an error message quotes it: at most 80 characters, then how long it was. Input can be megabytes,
     * and the error document must stay small.
     */
    public static String cut(String value) {
        if (value == null || value.length() <= QUOTE_LIMIT) {
            return value == null ? "" : value;
        }
        return value.substring(0, QUOTE_LIMIT) + "... (" + value.length() + " characters)";
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
            // U+FFFD is what bytes that do not decode become: such a name cannot name a file or a device
            if (c == '\uFFFD' || Character.isSurrogate(c)) {
                return "interface name is not valid UTF-8";
            }
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
