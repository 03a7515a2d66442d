package io.jnet.cli;

import io.jnet.cni.CniPlugin;
import io.jnet.cni.PluginMain;
import io.jnet.daemon.Plugins;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.util.Map;

/**
 * The entry point of every CNI plugin launcher ({@code bin/jnet-<type>}): the only place on the plugin path that
 * reads the environment and stdin and calls {@code System.exit}. It loads nothing of the human CLI.
 */
public final class Cni {

    private Cni() {
    }

    public static void main(String[] args) {
        String type = args.length == 1 ? args[0] : "";
        Map<String, String> env = System.getenv();
        CniPlugin plugin;
        try {
            plugin = plugin(type, env);
        } catch (Throwable e) {
            // the JVM could not even load the plugin (no descriptors left, a damaged installation): still one
            // error document, built from what is loaded already
            System.out.print(CANNOT_START);
            System.out.flush();
            System.err.println("jnet-" + type + ": cannot start: " + e);
            System.exit(1);
            return;
        }
        if (plugin == null) {
            System.err.println("usage: io.jnet.cli.Cni <plugin type>; unknown type \"" + type + "\"");
            System.exit(2);
        }
        // one write of the whole document: no autoflush, no partial JSON
        PrintStream stdout = new PrintStream(new FileOutputStream(FileDescriptor.out), false);
        int code = PluginMain.run(plugin, "jnet-" + type, env, System.in, stdout, System.err);
        stdout.flush();
        System.exit(code);
    }

    private static final String CANNOT_START =
            "{\"cniVersion\":\"1.1.0\",\"code\":5,\"msg\":\"the plugin cannot start; see its stderr\"}\n";

    /** The plugin for a launcher name (see {@link Plugins}); warnings go to stderr. */
    static CniPlugin plugin(String type, Map<String, String> env) {
        return Plugins.of(type, env, System.err);
    }
}
