package io.jnet.ipam;

import io.jnet.cni.PluginMain;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;

/** Test-only launcher entry for jnet-ipam (the packaged one is io.jnet.cli.Cni with the plugin name). */
public final class JnetIpamMain {

    private JnetIpamMain() {
    }

    public static void main(String[] args) {
        PrintStream stdout = new PrintStream(new FileOutputStream(FileDescriptor.out), false);
        int code = PluginMain.run(new IpamPlugin(System.getenv()), "jnet-ipam", System.getenv(), System.in, stdout,
                System.err);
        stdout.flush();
        System.exit(code);
    }
}
