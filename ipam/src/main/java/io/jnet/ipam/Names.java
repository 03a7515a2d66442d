package io.jnet.ipam;

/**
 * The names that become paths in the store: CNI's {@code ^[a-zA-Z0-9][a-zA-Z0-9_.\-]*$} for network names and
 * container ids (so never "", "." or ".." and never a '/'), and the kernel's rules for interface names, with
 * the limits that file names add.
 */
final class Names {

    private static final int MAX_IFNAME_BYTES = io.jnet.cni.Names.MAX_IFNAME_BYTES;
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

    /** The kernel's dev_valid_name plus the IFNAMSIZ limit, as the cni module checks it. */
    static String ifnameProblem(String name) {
        if (name == null || name.isEmpty()) {
            return "missing interface name";
        }
        return io.jnet.cni.Names.isValidIfName(name) ? null : "invalid interface name \"" + name
                + "\": at most " + MAX_IFNAME_BYTES + " bytes, not \".\" or \"..\", without '/', ':' or whitespace";
    }

    private static boolean isCniName(String name) {
        return name != null && io.jnet.cni.Names.isValidName(name);
    }
}
