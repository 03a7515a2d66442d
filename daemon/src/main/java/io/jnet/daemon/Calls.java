package io.jnet.daemon;

import io.jnet.bridge.HostSockets;
import io.jnet.cni.CniPlugin;
import io.jnet.cni.PluginMain;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Runs one CNI call in this process, through the same {@link PluginMain} as a direct call, into buffers. */
final class Calls {

    private Calls() {
    }

    /** What the call printed and its exit code: exactly what the JVM launcher would have printed and exited with. */
    record Outcome(int exitCode, byte[] stdout, byte[] stderr) {
    }

    static Outcome run(String type, Map<String, String> env, byte[] stdin, HostSockets sockets) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream stdout = new PrintStream(out, false, StandardCharsets.UTF_8);
        PrintStream stderr = new PrintStream(err, true, StandardCharsets.UTF_8);
        CniPlugin plugin = Plugins.of(type, env, stderr, sockets);
        if (plugin == null) {
            // as io.jnet.cli.Cni says for a launcher of an unknown type
            stderr.println("usage: io.jnet.cli.Cni <plugin type>; unknown type \"" + type + "\"");
            return new Outcome(2, new byte[0], err.toByteArray());
        }
        int code = PluginMain.run(plugin, "jnet-" + type, env, new ByteArrayInputStream(stdin), stdout, stderr);
        stdout.flush();
        return new Outcome(code, out.toByteArray(), err.toByteArray());
    }
}
