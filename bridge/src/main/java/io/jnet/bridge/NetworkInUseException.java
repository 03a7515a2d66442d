package io.jnet.bridge;

import java.io.IOException;
import java.util.List;

/**
 * A network that cannot be removed: attachments are recorded on it (made by the {@code jnet} command or by a
 * runtime through the network's conflist). {@code damaged} counts record files that do not parse; they block the
 * removal too, until GC has dealt with them.
 */
public final class NetworkInUseException extends IOException {

    private final String network;
    private final transient List<BridgeDriver.Attachment> attachments;
    private final int damaged;

    NetworkInUseException(String network, List<BridgeDriver.Attachment> attachments, int damaged) {
        super("network " + network + " still has " + (attachments.size() + damaged) + " attachment(s)"
                + (attachments.isEmpty() ? "" : ", e.g. " + attachments.get(0).containerId() + "/"
                + attachments.get(0).ifName()));
        this.network = network;
        this.attachments = List.copyOf(attachments);
        this.damaged = damaged;
    }

    public String network() {
        return network;
    }

    public List<BridgeDriver.Attachment> attachments() {
        return attachments;
    }

    /** Record files of the network that do not parse. */
    public int damaged() {
        return damaged;
    }
}
