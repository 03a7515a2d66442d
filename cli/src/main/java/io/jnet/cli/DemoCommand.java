package io.jnet.cli;

import io.jnet.cni.CniPlugin;
import io.jnet.cni.Json;
import io.jnet.cni.PluginMain;
import io.jnet.kernel.netlink.NetlinkSocket;
import io.jnet.kernel.netns.NetNs;
import io.jnet.kernel.rtnl.Link;
import io.jnet.kernel.rtnl.Rtnetlink;
import io.jnet.none.NonePlugin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code jnet demo}: runs the plugins in throwaway namespaces, proves with real traffic that they work, prints a
 * short report and removes everything. Exits 0 only when every claim was proven.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Prove the network modes with real connections in throwaway namespaces, then clean up.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--run-dir", description = "Where the throwaway namespaces are mounted (default: ${DEFAULT-VALUE}).")
    Path runDir = Path.of("/run/jnet/demo");

    private final List<String> created = new ArrayList<>();
    private int proven;
    private int failed;

    @Override
    public Integer call() {
        String suffix = HexFormat.of().formatHex(new SecureRandom().generateSeed(3));
        System.out.println("jnet demo: the network modes in throwaway namespaces (suffix " + suffix + ")");
        try {
            none("none-" + suffix);
        } catch (Exception e) {
            claim(false, "the demo stopped: " + e.getMessage());
        } finally {
            cleanUp();
        }
        System.out.println((failed == 0 ? "PASS" : "FAIL") + ": " + proven + " of " + (proven + failed) + " proven");
        return failed == 0 ? 0 : 1;
    }

    /** none: only lo, up, and traffic over it works. */
    private void none(String name) throws Exception {
        section("none");
        try (NetNs ns = NetNs.create(runDir, name)) {
            created.add(name);
            String netns = ns.path();
            Map<String, Object> result = cni(new NonePlugin(), "ADD", netns, "lo", "1.1.0", null);
            claim(result != null && "lo".equals(first(result, "interfaces").get("name")),
                    "ADD: " + ips(result) + " on lo in " + netns);
            try (Rtnetlink rtnl = new Rtnetlink(ns.openSocket(NetlinkSocket.NETLINK_ROUTE))) {
                List<Link> links = rtnl.links();
                claim(links.size() == 1 && links.get(0).isUp(), "the namespace has only lo, and it is up: "
                        + links.stream().map(l -> l.name() + (l.isUp() ? " UP" : " DOWN")).toList());
            }
            String echoed = ns.call(DemoCommand::echoOverLoopback);
            claim("ping".equals(echoed), "a TCP connection to 127.0.0.1 inside the namespace echoed \"" + echoed + "\"");
            Map<String, Object> check = cni(new NonePlugin(), "CHECK", netns, "lo", "1.1.0", result);
            claim(check != null, "CHECK against the ADD result passes");
            boolean del = cni(new NonePlugin(), "DEL", netns, "lo", "1.1.0", result) != null
                    && cni(new NonePlugin(), "DEL", netns, "lo", "1.1.0", result) != null;
            claim(del, "DEL brings lo down, and a repeated DEL succeeds");
        }
    }

    private static String echoOverLoopback() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
             Socket client = new Socket(InetAddress.getByName("127.0.0.1"), server.getLocalPort());
             Socket accepted = server.accept()) {
            client.setSoTimeout(5000);
            OutputStream out = client.getOutputStream();
            out.write("ping".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = accepted.getInputStream();
            byte[] buf = in.readNBytes(4);
            return new String(buf, StandardCharsets.US_ASCII);
        }
    }

    /** One plugin call through the same dispatcher the launchers use; the parsed stdout, or null on failure. */
    private Map<String, Object> cni(CniPlugin plugin, String command, String netns, String ifname, String version,
                                    Map<String, Object> prevResult) throws Exception {
        Map<String, Object> conf = new java.util.LinkedHashMap<>();
        conf.put("cniVersion", version);
        conf.put("name", "demo");
        conf.put("type", "jnet-none");
        if (prevResult != null) {
            conf.put("prevResult", prevResult);
        }
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int exit = PluginMain.run(plugin, "jnet-none", Map.of("CNI_COMMAND", command, "CNI_CONTAINERID", "demo",
                        "CNI_NETNS", netns, "CNI_IFNAME", ifname), new ByteArrayInputStream(Json.writeBytes(conf)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8).strip();
        if (exit != 0) {
            System.out.println("    " + command + " failed: " + text + " " + err.toString(StandardCharsets.UTF_8).strip());
            return null;
        }
        return text.isEmpty() ? Map.of() : Json.parseObject(text.getBytes(StandardCharsets.UTF_8));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> first(Map<String, Object> result, String key) {
        List<Map<String, Object>> list = result == null ? null : (List<Map<String, Object>>) result.get(key);
        return list == null || list.isEmpty() ? Map.of() : list.get(0);
    }

    @SuppressWarnings("unchecked")
    private static String ips(Map<String, Object> result) {
        List<Map<String, Object>> list = result == null ? List.of() : (List<Map<String, Object>>) result.get("ips");
        return list == null ? "[]" : list.stream().map(ip -> String.valueOf(ip.get("address"))).toList().toString();
    }

    private static void section(String mode) {
        System.out.println();
        System.out.println("[" + mode + "]");
    }

    private void claim(boolean ok, String what) {
        if (ok) {
            proven++;
        } else {
            failed++;
        }
        System.out.println("  " + (ok ? "ok    " : "FAILED") + " " + what);
    }

    private void cleanUp() {
        for (String name : created) {
            try {
                NetNs.delete(runDir, name);
            } catch (IOException e) {
                claim(false, "remove namespace " + name + ": " + e.getMessage());
            }
        }
        System.out.println();
        System.out.println("removed " + created.size() + " throwaway namespace(s) under " + runDir);
    }
}
