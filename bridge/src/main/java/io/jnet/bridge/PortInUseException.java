package io.jnet.bridge;

import io.jnet.cni.IpPrefix;

import java.io.IOException;
import java.net.InetAddress;
import java.util.Optional;

/**
 * A host port that another attachment already publishes (Docker refuses this too). It carries what a front-end
 * needs to say so without reading this message: the refused mapping, where the kernel's element for that port leads
 * now ({@code target}:{@code targetPort}), and the attachment that owns it when the driver's records know it.
 */
public final class PortInUseException extends IOException {

    private final PortMapping port;
    private final InetAddress target;
    private final int targetPort;
    private final transient BridgeDriver.Attachment owner;

    PortInUseException(PortMapping port, InetAddress target, int targetPort, BridgeDriver.Attachment owner,
                       Throwable cause) {
        super("host port " + port.hostText() + " is already published by "
                + (owner == null ? "another container" : "container " + owner.containerId() + " (" + owner.ifName()
                + " of network " + owner.network() + ")")
                + ", to " + IpPrefix.formatAddress(target) + ":" + targetPort, cause);
        this.port = port;
        this.target = target;
        this.targetPort = targetPort;
        this.owner = owner;
    }

    /** The same refusal with the owner that the driver's records name. */
    PortInUseException withOwner(BridgeDriver.Attachment knownOwner) {
        return new PortInUseException(port, target, targetPort, knownOwner, getCause());
    }

    /** The mapping that was refused. */
    public PortMapping port() {
        return port;
    }

    /** The container address the port leads to now. */
    public InetAddress target() {
        return target;
    }

    public int targetPort() {
        return targetPort;
    }

    /** The attachment that publishes the port; empty when no record of the driver has the target address. */
    public Optional<BridgeDriver.Attachment> owner() {
        return Optional.ofNullable(owner);
    }
}
