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
        CniPlugin plugin = plugin(type, env);
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

    /** The plugin for a launcher name (see {@link Plugins}); warnings go to stderr. */
    static CniPlugin plugin(String type, Map<String, String> env) {
        return Plugins.of(type, env, System.err);
    }
}
