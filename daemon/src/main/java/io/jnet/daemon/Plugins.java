package io.jnet.daemon;

import io.jnet.bridge.BridgePlugin;
import io.jnet.bridge.HostSockets;
import io.jnet.cni.CniPlugin;
import io.jnet.container.ContainerPlugin;
import io.jnet.host.HostPlugin;
import io.jnet.ipam.IpamPlugin;
import io.jnet.kernel.fs.StateRoot;
import io.jnet.none.NonePlugin;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * The plugin for each launcher type ({@code jnet-<type>}), shared by the direct path ({@code io.jnet.cli.Cni}) and
 * the daemon, so both build the same plugin from the same environment. It imports nothing of netty: the direct path
 * loads this class and must not load netty.
 */
public final class Plugins {

    /** Every plugin type, in the order the distribution lists them. */
    public static final List<String> TYPES = List.of("none", "host", "container", "bridge", "ipam");

    private Plugins() {
    }

    /**
     * The plugin for {@code type}, or null for an unknown type; each branch loads only its own driver's classes.
     * Warnings go to {@code warnings} (the call's stderr), and the container store is under {@code JNET_ROOT}
     * (default {@code /var/lib/jnet}) unless a config's {@code dataDir} says otherwise.
     */
    public static CniPlugin of(String type, Map<String, String> env, PrintStream warnings) {
        return of(type, env, warnings, HostSockets.perCall());
    }

    /** As {@link #of(String, Map, PrintStream)}, the bridge reaching the host through {@code sockets}. */
    public static CniPlugin of(String type, Map<String, String> env, PrintStream warnings, HostSockets sockets) {
        return switch (type) {
            case "none" -> new NonePlugin();
            case "host" -> new HostPlugin(warnings);
            case "container" -> new ContainerPlugin(StateRoot.of(env));
            case "bridge" -> new BridgePlugin(env, sockets, warnings);
            case "ipam" -> new IpamPlugin(env);
            default -> null;
        };
    }
}
