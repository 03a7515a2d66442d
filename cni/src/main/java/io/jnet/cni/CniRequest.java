package io.jnet.cni;

import java.util.List;

/**
 * One validated plugin invocation. For GC and STATUS the attachment fields are "" and {@code args} is
 * {@link CniArgs#EMPTY}.
 *
 * @param netns the CNI_NETNS path, "" when absent (allowed for DEL)
 * @param path  the CNI_PATH directories in order, empty when absent
 */
public record CniRequest(CniCommand command, String containerId, String netns, String ifName, CniArgs args,
                         List<String> path, NetConf config) {

    public CniRequest {
        containerId = containerId == null ? "" : containerId;
        netns = netns == null ? "" : netns;
        ifName = ifName == null ? "" : ifName;
        args = args == null ? CniArgs.EMPTY : args;
        path = path == null ? List.of() : List.copyOf(path);
    }
}
