package io.jnet.ipam;

/** Who holds a lease: the attachment (container id, interface name) of a CNI ADD. Both are validated names. */
public record Owner(String containerId, String ifname) {

    public Owner {
        String problem = Names.containerIdProblem(containerId);
        if (problem == null) {
            problem = Names.ifnameProblem(ifname);
        }
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** Validates and returns the owner, or fails with {@link IpamException.Reason#INVALID_ARGUMENT}. */
    public static Owner of(String containerId, String ifname) throws IpamException {
        String problem = Names.containerIdProblem(containerId);
        if (problem == null) {
            problem = Names.ifnameProblem(ifname);
        }
        if (problem != null) {
            throw new IpamException(IpamException.Reason.INVALID_ARGUMENT, problem);
        }
        return new Owner(containerId, ifname);
    }

    /** The owner record's file name: a container id never contains '@', so the split is unambiguous. */
    String fileName() {
        return containerId + "@" + ifname;
    }

    /** The owner named by an owner record's file name, or null when the name is not one. */
    static Owner fromFileName(String name) {
        int at = name.indexOf('@');
        if (at < 0) {
            return null;
        }
        String id = name.substring(0, at);
        String ifname = name.substring(at + 1);
        return Names.containerIdProblem(id) == null && Names.ifnameProblem(ifname) == null
                ? new Owner(id, ifname) : null;
    }

    // equals and hashCode by hand: a record's generated ones are linked through invokedynamic on their first call,
    // which costs a plugin call (a fresh JVM) milliseconds; see README, "Start-up".
    @Override
    public boolean equals(Object o) {
        return o instanceof Owner w && containerId.equals(w.containerId) && ifname.equals(w.ifname);
    }

    @Override
    public int hashCode() {
        return containerId.hashCode() * 31 + ifname.hashCode();
    }

    @Override
    public String toString() {
        return "container " + containerId + " ifname " + ifname;
    }
}
