package io.jnet.cni;

/** A still-valid attachment named by a GC request: the container id and ifname of an earlier ADD. */
public record Attachment(String containerId, String ifname) {

    public Attachment {
        if (containerId == null || ifname == null) {
            throw new IllegalArgumentException("attachment needs a container id and an ifname");
        }
    }
}
