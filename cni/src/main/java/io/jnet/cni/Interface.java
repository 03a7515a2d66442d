package io.jnet.cni;

/**
 * An interface in a result. Strings are "" and mtu is 0 when absent. {@code sandbox} is CNI_NETNS for an
 * interface inside the container and "" for one on the host. mtu, socketPath and pciId exist from spec 1.1.
 */
public record Interface(String name, String mac, int mtu, String sandbox, String socketPath, String pciId) {

    public Interface {
        name = name == null ? "" : name;
        mac = mac == null ? "" : mac;
        sandbox = sandbox == null ? "" : sandbox;
        socketPath = socketPath == null ? "" : socketPath;
        pciId = pciId == null ? "" : pciId;
        if (mtu < 0) {
            throw new IllegalArgumentException("interface " + name + ": negative mtu " + mtu);
        }
    }

    public Interface(String name, String mac, int mtu, String sandbox) {
        this(name, mac, mtu, sandbox, "", "");
    }
}
