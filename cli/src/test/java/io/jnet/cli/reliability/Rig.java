package io.jnet.cli.reliability;

import io.jnet.cni.CniException;
import io.jnet.cni.Json;
import io.jnet.kernel.testing.Sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The reliability suites' sandbox: a "host" namespace (with an uplink to an "outside" one on 198.18.0.0/15) where the
 * packaged launchers run as a runtime would run them, a state root of its own, and an oracle of everything a plugin
 * could change on that host. The machine's own namespace is never touched.
 */
final class Rig implements AutoCloseable {

    /** Long forms run with {@code -Djnet.soak=long}; {@code mvn verify} runs the short forms. */
    static final boolean LONG = "long".equals(System.getProperty("jnet.soak"));

    final Sandbox sandbox;
    final Sandbox.Ns host;
    final Sandbox.Ns outside;
    final Path root;

    Rig(Sandbox sandbox) {
        this.sandbox = sandbox;
        this.host = sandbox.namespace("host");
        this.outside = sandbox.namespace("out");
        try {
            this.root = Files.createTempDirectory("jnet-rel-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ip(host, "link", "set", "lo", "up");
        ip(outside, "link", "set", "lo", "up");
        ip(host, "link", "add", "up0", "type", "veth", "peer", "name", "up1", "netns", outside.name());
        ip(host, "addr", "add", "198.18.0.1/24", "dev", "up0");
        ip(outside, "addr", "add", "198.18.0.2/24", "dev", "up1");
        ip(host, "link", "set", "up0", "up");
        ip(outside, "link", "set", "up1", "up");
        ip(host, "route", "add", "default", "via", "198.18.0.2");
    }

    void ip(Sandbox.Ns ns, String... args) {
        String[] cmd = new String[args.length + 3];
        cmd[0] = "ip";
        cmd[1] = "-n";
        cmd[2] = ns.name();
        System.arraycopy(args, 0, cmd, 3, args.length);
        Sandbox.run(cmd).ok();
    }

    static Path dist() {
        Path dist = Path.of(System.getProperty("jnet.dist", "target/jnet")).toAbsolutePath();
        if (!Files.isExecutable(dist.resolve("bin/jnet-bridge"))) {
            throw new IllegalStateException("no packaged launchers in " + dist + "; run mvn package");
        }
        return dist;
    }

    static Path bin(String name) {
        return dist().resolve("bin").resolve(name);
    }

    /** One plugin call's outcome. */
    record Call(int exit, String stdout, String stderr) {
        Map<String, Object> json() throws CniException {
            return Json.parseObject(stdout.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The base environment of a call in the host namespace: this rig's state root and the launchers as CNI_PATH. */
    Map<String, String> env(String command, String containerId, String netns, String ifname) {
        Map<String, String> env = new HashMap<>();
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", containerId);
        env.put("CNI_NETNS", netns);
        env.put("CNI_IFNAME", ifname);
        env.put("CNI_PATH", dist().resolve("bin") + ":/usr/lib/cni");
        env.put("JNET_ROOT", root.toString());
        env.values().removeIf(v -> v == null);
        return env;
    }

    Call cni(String plugin, Map<String, String> env, byte[] stdin) {
        Sandbox.Run run = Sandbox.run(env, stdin, Sandbox.inCommand(host, bin(plugin).toString()));
        return new Call(run.exit(), run.stdout(), run.stderr());
    }

    Call cni(String plugin, Map<String, String> env, String stdin) {
        return cni(plugin, env, stdin.getBytes(StandardCharsets.UTF_8));
    }

    /** Starts a call without waiting, so that a test can kill it; its pid is the JVM's (the launchers exec). */
    Process start(String plugin, Map<String, String> env, String stdin) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(Sandbox.inCommand(host, bin(plugin).toString()));
        pb.environment().putAll(env);
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        try (var in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        } catch (IOException exited) {
            // killed or finished before it read its input
        }
        return p;
    }

    /** A bridge network's config: a /24 (or the given subnet) from jnet-ipam, with published ports if any. */
    static String bridgeConf(String network, String bridge, String subnet, String extra) {
        return "{\"cniVersion\":\"1.1.0\",\"name\":\"" + network + "\",\"type\":\"jnet-bridge\",\"bridge\":\"" + bridge
                + "\",\"ipam\":{\"type\":\"jnet-ipam\",\"ranges\":[[{\"subnet\":\"" + subnet + "\"}]]}" + extra + "}";
    }

    static String port(String proto, int hostPort, int containerPort) {
        return "{\"hostPort\":" + hostPort + ",\"containerPort\":" + containerPort + ",\"protocol\":\"" + proto + "\"}";
    }

    /**
     * Everything a plugin call could change on the host, as text: links, addresses, routes (all tables), the nf_tables
     * ruleset without handles and counters, the forwarding and localnet sysctls, and every file of the state store
     * with its content.
     */
    String snapshot() {
        return kernelSnapshot() + storeFiles(root);
    }

    /** The host's links, addresses, routes, ruleset and sysctls, as {@link #snapshot} has them. */
    String kernelSnapshot() {
        StringBuilder s = new StringBuilder();
        s.append(sandbox.in(host, "ip", "-j", "link").ok().stdout()).append('\n');
        s.append(sandbox.in(host, "ip", "-j", "addr").ok().stdout()).append('\n');
        s.append(sandbox.in(host, "ip", "-j", "route", "show", "table", "all").ok().stdout()).append('\n');
        s.append(sandbox.in(host, "ip", "-j", "-6", "route", "show", "table", "all").ok().stdout()).append('\n');
        s.append(ruleset()).append('\n');
        s.append(sandbox.in(host, "sh", "-c", "for f in /proc/sys/net/ipv4/ip_forward "
                + "/proc/sys/net/ipv6/conf/all/forwarding /proc/sys/net/ipv4/conf/*/route_localnet; do "
                + "echo $f $(cat $f); done").ok().stdout());
        return s.toString();
    }

    /**
     * A snapshot once the host has settled: the kernel finishes some work after a call returns (IPv6 link-local
     * addresses and their duplicate address detection on new links), so wait until two snapshots agree.
     */
    String settledSnapshot() throws InterruptedException {
        return settled(this::snapshot);
    }

    /** {@link #kernelSnapshot} once the host has settled. */
    String settledKernel() throws InterruptedException {
        return settled(this::kernelSnapshot);
    }

    private static String settled(java.util.function.Supplier<String> snapshot) throws InterruptedException {
        String last = snapshot.get();
        for (int i = 0; i < 50; i++) {
            Thread.sleep(200);
            String now = snapshot.get();
            if (now.equals(last) && !now.contains("\"tentative\"")) {
                return now;
            }
            last = now;
        }
        throw new AssertionError("the host does not settle");
    }

    /** The parts of two snapshots that differ, split at JSON object boundaries so that a change is readable. */
    static String diff(String before, String after) {
        List<String> a = List.of(before.replace("},{", "},\n{").split("\n"));
        List<String> b = List.of(after.replace("},{", "},\n{").split("\n"));
        StringBuilder s = new StringBuilder();
        a.stream().filter(x -> !b.contains(x)).limit(10).forEach(x -> s.append("- ").append(x).append('\n'));
        b.stream().filter(x -> !a.contains(x)).limit(10).forEach(x -> s.append("+ ").append(x).append('\n'));
        return s.toString();
    }

    /** {@code nft -j list ruleset} without handles and with counters zeroed. */
    String ruleset() {
        try {
            Object doc = Json.parse(sandbox.in(host, "nft", "-j", "list", "ruleset").ok().stdout());
            return new String(Json.writeBytes(Map.of("r", strip(doc))), StandardCharsets.UTF_8);
        } catch (CniException e) {
            throw new AssertionError(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Object strip(Object node) {
        if (node instanceof Map<?, ?> m) {
            Map<String, Object> out = new TreeMap<>();
            for (Map.Entry<String, Object> e : ((Map<String, Object>) m).entrySet()) {
                if (e.getKey().equals("handle")) {
                    continue;
                }
                out.put(e.getKey(), e.getKey().equals("counter") ? "counter" : strip(e.getValue()));
            }
            return out;
        }
        if (node instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(x -> out.add(strip(x)));
            return out;
        }
        return node;
    }

    /**
     * The store's files with their content, except the content of IPAM's allocation index: a hint that holds the
     * round-robin cursor, which a failed ADD advances (as host-local's last_reserved_ip does).
     */
    static String storeFiles(Path root) {
        StringBuilder s = new StringBuilder();
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted().forEach(p -> {
                if (p.getParent() != null && p.getParent().getFileName().toString().equals("index")) {
                    s.append(root.relativize(p)).append('\n');
                    return;
                }
                try {
                    s.append(root.relativize(p)).append(Files.isDirectory(p) ? "/" : " "
                            + HexFormat.of().formatHex(Files.readAllBytes(p))).append('\n');
                } catch (IOException gone) {
                    s.append(root.relativize(p)).append(" (gone)\n");
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return s.toString();
    }

    /** The names of the host's links whose name starts with {@code prefix}. */
    List<String> links(String prefix) {
        List<String> out = new ArrayList<>();
        for (String line : sandbox.in(host, "ip", "-o", "link").ok().stdout().split("\n")) {
            String[] parts = line.split(": ");
            if (parts.length > 1) {
                String name = parts[1].split("@")[0];
                if (name.startsWith(prefix)) {
                    out.add(name);
                }
            }
        }
        return out;
    }

    /** The elements of the published-port maps and the per-network verdict maps, as nft prints them. */
    String elements() {
        String text = sandbox.in(host, "nft", "list", "ruleset").ok().stdout();
        StringBuilder s = new StringBuilder();
        for (String line : text.split("\n")) {
            if (line.strip().startsWith("elements")) {
                s.append(line.strip()).append('\n');
            }
        }
        return s.toString();
    }

    /** How many elements the sets and maps of the host's ruleset hold. */
    int elementCount() throws CniException {
        int n = 0;
        Object doc = Json.parse(sandbox.in(host, "nft", "-j", "list", "ruleset").ok().stdout());
        for (Object item : Json.asArray(Json.asObject(doc, "nft").get("nftables"), "nftables")) {
            Object set = Json.asObject(item, "item").get("set");
            Object map = Json.asObject(item, "item").get("map");
            for (Object s : new Object[] {set, map}) {
                if (s != null && Json.asObject(s, "set").get("elem") instanceof List<?> elems) {
                    n += elems.size();
                }
            }
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
