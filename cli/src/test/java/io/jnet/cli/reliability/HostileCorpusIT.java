package io.jnet.cli.reliability;

import io.jnet.bridge.BridgePlugin;
import io.jnet.cni.CniPlugin;
import io.jnet.cni.Json;
import io.jnet.cni.PluginMain;
import io.jnet.container.ContainerPlugin;
import io.jnet.host.HostPlugin;
import io.jnet.ipam.IpamPlugin;
import io.jnet.kernel.netns.NetNs;
import io.jnet.none.NonePlugin;
import io.jnet.kernel.testing.Sandbox;
import io.jnet.kernel.testing.SandboxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Our own hostile corpus, generated here: bad stdin, versions, environment, netns paths, configs and requests that
 * make no sense, sent to the plugins in a sandbox host: through the packaged launchers (all of them in the long form;
 * in the short form what only a process can show and every eighth case) or through the same dispatcher in-process. Each case must give exactly one CNI error document
 * on stdout with the expected code (and, for code 4, the variable named), exit 1, and leave the host as it was:
 * links, addresses, routes, the ruleset (without handles and counters), the sysctls and the state store's files.
 * Cases run four at a time; the host is compared after every group of them.
 */
@ExtendWith(SandboxExtension.class)
class HostileCorpusIT {

    private static final String NET = "hc";
    private static final String SUBNET = "10.233.90.0/24";
    private static final String OK = Rig.bridgeConf(NET, "jthc0", SUBNET, "");

    /** One hostile call: which plugin, what environment and stdin, and the error it must give. */
    record Case(String name, String plugin, Map<String, String> env, byte[] stdin, int code, String mentions,
                String shell) {
    }

    private final List<Case> cases = new ArrayList<>();
    private Rig rig;
    private Sandbox sandbox;
    private String ctr;

    /** Each case its own container id: a runtime never runs two calls for one attachment at the same time. */
    private Map<String, String> env(String command) {
        return rig.env(command, "hc" + cases.size(), ctr, "eth0");
    }

    private void add(String name, String plugin, Map<String, String> env, String stdin, int code, String mentions) {
        add(name, plugin, env, stdin.getBytes(StandardCharsets.UTF_8), code, mentions);
    }

    private void add(String name, String plugin, Map<String, String> env, byte[] stdin, int code, String mentions) {
        cases.add(new Case(name, plugin, env, stdin, code, mentions, null));
    }

    private void envCase(String name, String plugin, String command, Consumer<Map<String, String>> change,
                         String stdin, int code, String mentions) {
        Map<String, String> env = env(command);
        change.accept(env);
        add(name, plugin, env, stdin, code, mentions);
    }

    private Map<String, String> own(Map<String, String> env) {
        env.put("CNI_NETNS", sandbox.namespace("sem").path());
        return env;
    }

    private static String with(String conf, String extra) {
        return conf.substring(0, conf.length() - 1) + extra + "}";
    }

    private static String conf(String plugin) {
        return switch (plugin) {
            case "jnet-bridge" -> OK;
            case "jnet-ipam" -> "{\"cniVersion\":\"1.1.0\",\"name\":\"" + NET + "\",\"type\":\"x\",\"ipam\":{\"type\":"
                    + "\"jnet-ipam\",\"ranges\":[[{\"subnet\":\"10.233.92.0/24\"}]]}}";
            default -> "{\"cniVersion\":\"1.1.0\",\"name\":\"" + NET + "\",\"type\":\"" + plugin + "\"}";
        };
    }

    private void generate(Path tmp, String baseNetns, String baseIp) throws Exception {
        String prev = ",\"prevResult\":{\"cniVersion\":\"1.1.0\",\"ips\":[{\"address\":\"10.233.90.200/24\"}]}";
        // ---- stdin: every plugin, code 6
        List<byte[]> bad = new ArrayList<>();
        for (String s : List.of("", " ", "{", "}", "[]", "null", "true", "1", "\"s\"", "{\"a\":}", "{,}",
                "{\"cniVersion\":\"1.1.0\"", OK + "x", OK + "{}", "{'a':1}", "\u0000", "[".repeat(5000))) {
            bad.add(s.getBytes(StandardCharsets.UTF_8));
        }
        bad.add(new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xff, (byte) 0xfe, '"', '}'});
        bad.add(" ".repeat(5 << 20).getBytes(StandardCharsets.UTF_8));
        for (String plugin : List.of("jnet-bridge", "jnet-none", "jnet-host", "jnet-container", "jnet-ipam")) {
            for (int i = 0; i < bad.size(); i++) {
                add("stdin " + i + " to " + plugin, plugin, env("ADD"), bad.get(i), 6, null);
            }
        }
        for (int cut = 1; cut < OK.length(); cut += 3) {
            add("truncated at " + cut, "jnet-bridge", env("ADD"), OK.substring(0, cut), 6, null);
        }
        Random random = new Random(12);
        for (int i = 0; i < 20; i++) {
            byte[] noise = new byte[1 + random.nextInt(4096)];
            random.nextBytes(noise);
            noise[0] = (byte) ('{' + 0);   // never a bare number or literal by chance
            noise[noise.length - 1] = 0;
            add("noise " + i, "jnet-bridge", env("ADD"), noise, 6, null);
        }
        // ---- versions: code 1 (7 when not a string)
        for (String v : List.of("0.1.0", "0.2.0", "9.9.9", "1.1", "1.0", "", "v1.0.0", "1.0.0-rc1", "01.0.0", " 1.0.0",
                "1.1.0 ", "2.0.0")) {
            add("version \"" + v + "\"", "jnet-bridge", env("ADD"), OK.replace("\"1.1.0\"", "\"" + v + "\""), 1, null);
        }
        for (String v : List.of("1", "null", "{}", "[\"1.1.0\"]")) {
            int code = v.equals("null") ? 1 : 7;
            add("version " + v, "jnet-bridge", env("ADD"), OK.replace("\"1.1.0\"", v), code, null);
        }
        for (String v : List.of("0.3.0", "0.3.1")) {
            add("CHECK at " + v, "jnet-bridge", env("CHECK"), with(OK, prev).replace("\"1.1.0\"", "\"" + v + "\""),
                    1, null);
        }
        for (String command : List.of("GC", "STATUS")) {
            for (String v : List.of("0.3.0", "0.3.1", "0.4.0", "1.0.0")) {
                add(command + " at " + v, "jnet-bridge", rig.env(command, null, null, null),
                        OK.replace("\"1.1.0\"", "\"" + v + "\""), 1, null);
            }
        }
        // ---- environment: code 4 naming the variable
        for (String plugin : List.of("jnet-bridge", "jnet-none", "jnet-ipam")) {
            String c = conf(plugin);
            envCase("no CNI_COMMAND to " + plugin, plugin, "ADD", e -> e.remove("CNI_COMMAND"), c, 4, "CNI_COMMAND");
            for (String cmd : List.of("add", "ADD ", "VERSIONS", "X".repeat(1000), "DEL\n")) {
                envCase("CNI_COMMAND " + cmd.length(), plugin, cmd, e -> { }, c, 4, "CNI_COMMAND");
            }
            for (String command : List.of("ADD", "DEL", "CHECK")) {
                for (String variable : command.equals("DEL") ? List.of("CNI_CONTAINERID", "CNI_IFNAME")
                        : List.of("CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME")) {   // DEL needs no netns
                    envCase(command + " without " + variable + " to " + plugin, plugin, command,
                            e -> e.remove(variable), with(c, prev), 4, variable);
                }
            }
        }
        for (String id : List.of("/", "..", ".", "a/b", "-a", "_a", ".a", "a b", "a:b", "ä", "a*", "a\tb", "a\nb",
                "x".repeat(201), "y".repeat(1000), "../../etc/passwd")) {
            for (String command : List.of("ADD", "DEL", "CHECK")) {
                envCase(command + " container id " + id.length(), "jnet-bridge", command,
                        e -> e.put("CNI_CONTAINERID", id), with(OK, prev), 4, "CNI_CONTAINERID");
            }
        }
        for (String ifname : List.of(".", "..", "a/b", "a:b", "a b", "a\tb", "0123456789abcdef", "üüüüüüüü",
                "a\u00a0b", "e\uFFFD")) {
            for (String command : List.of("ADD", "DEL", "CHECK")) {
                envCase(command + " ifname " + ifname, "jnet-bridge", command, e -> e.put("CNI_IFNAME", ifname),
                        with(OK, prev), 4, "CNI_IFNAME");
            }
        }
        cases.add(new Case("ifname that is not UTF-8", "jnet-bridge", env("ADD"), OK.getBytes(StandardCharsets.UTF_8),
                4, "CNI_IFNAME", "CNI_IFNAME=$(printf 'eth\\377\\376')"));
        cases.add(new Case("ifname that is not UTF-8, DEL", "jnet-bridge", env("DEL"),
                OK.getBytes(StandardCharsets.UTF_8), 4, "CNI_IFNAME", "CNI_IFNAME=$(printf '\\300')"));
        for (String args : List.of("X=1", "K8S_POD_NAME=web", "JUSTAKEY", "IgnoreUnknown=maybe", "=v",
                "IgnoreUnknown=1;IP=not-an-ip", "IgnoreUnknown=1;IP=10.233.90.7,x", "a=b;" + "c".repeat(100000))) {
            // CHECK reads no address from CNI_ARGS, so only a malformed or unknown pair is its error
            for (String command : args.contains("IP=") ? List.of("ADD") : List.of("ADD", "CHECK")) {
                envCase(command + " CNI_ARGS " + args.length(), "jnet-bridge", command, e -> e.put("CNI_ARGS", args),
                        with(OK, prev), 4, "CNI_ARGS");
            }
        }
        // ---- netns: code 8 naming CNI_NETNS, without blocking on a FIFO
        Path fifo = tmp.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        Path file = Files.writeString(tmp.resolve("file"), "x");
        Files.createSymbolicLink(tmp.resolve("loop-a"), tmp.resolve("loop-b"));
        Files.createSymbolicLink(tmp.resolve("loop-b"), tmp.resolve("loop-a"));
        List<String> notNetns = List.of(fifo.toString(), file.toString(), tmp.toString(), "/dev/null",
                "/proc/self/ns/mnt", "/proc/self/ns/uts", tmp.resolve("loop-a").toString(), ctr + "/",
                tmp.resolve("missing").toString(), "relative/netns");
        for (String plugin : List.of("jnet-bridge", "jnet-none", "jnet-host")) {
            for (String path : notNetns) {
                for (String command : List.of("ADD", "CHECK")) {
                    envCase(command + " netns " + path + " to " + plugin, plugin, command,
                            e -> e.put("CNI_NETNS", path), with(conf(plugin), prev), 8, "CNI_NETNS");
                }
            }
        }
        // ---- config: code 7
        for (String name : List.of("", "a/b", "../x", "-x", "a b", "n".repeat(129), "n".repeat(3_000_000))) {
            add("network name " + Math.min(name.length(), 20), "jnet-bridge", env("ADD"),
                    OK.replace("\"name\":\"" + NET + "\"", "\"name\":\"" + name + "\""), 7, null);
        }
        add("network name a number", "jnet-bridge", env("ADD"), OK.replace("\"" + NET + "\"", "7"), 7, null);
        add("no ipam", "jnet-bridge", env("ADD"), "{\"cniVersion\":\"1.1.0\",\"name\":\"hc\",\"type\":\"jnet-bridge\"}",
                7, "ipam");
        for (String ipam : List.of("\"x\"", "1", "{}", "{\"type\":\"\"}", "{\"type\":\"a/b\"}", "{\"type\":7}",
                "{\"type\":\"no-such-plugin\"}", "{\"type\":\"jnet-ipam\"}", "{\"type\":\"jnet-ipam\",\"subnet\":\"x\"}",
                "{\"type\":\"jnet-ipam\",\"subnet\":\"10.0.0.0/33\"}", "{\"type\":\"jnet-ipam\",\"subnet\":\"10.0.0.0/31\"}",
                "{\"type\":\"jnet-ipam\",\"ranges\":\"x\"}", "{\"type\":\"jnet-ipam\",\"ranges\":[[{}]]}",
                "{\"type\":\"jnet-ipam\",\"ranges\":[[{\"subnet\":\"10.233.93.0/24\",\"rangeStart\":\"10.1.0.1\"}]]}",
                "{\"type\":\"jnet-ipam\",\"subnet\":\"10.233.93.0/24\",\"routes\":\"x\"}",
                "{\"type\":\"jnet-ipam\",\"subnet\":\"10.233.93.0/24\",\"routes\":[{\"dst\":\"x\"}]}")) {
            add("ipam " + ipam, "jnet-bridge", env("ADD"),
                    "{\"cniVersion\":\"1.1.0\",\"name\":\"hc\",\"type\":\"jnet-bridge\",\"bridge\":\"jthc0\",\"ipam\":"
                            + ipam + "}", 7, null);
        }
        for (String field : List.of("\"bridge\":\"\"", "\"bridge\":\"a/b\"", "\"bridge\":\"0123456789abcdef\"",
                "\"bridge\":\".\"", "\"bridge\":7", "\"bridge\":\"up0\"", "\"mtu\":1", "\"mtu\":67", "\"mtu\":65536",
                "\"mtu\":\"1500\"", "\"mtu\":-5", "\"hostBindingIp\":\"x\"", "\"vlan\":5000", "\"vlan\":-1",
                "\"vlan\":100", "\"vlan\":\"1\"", "\"vlanTrunk\":[{\"id\":5}]", "\"macspoofchk\":true",
                "\"disableContainerInterface\":true", "\"portIsolation\":true", "\"dns\":\"a string\"", "\"dns\":1",
                "\"dns\":{\"nameservers\":\"x\"}", "\"hairpinMode\":true,\"promiscMode\":true",
                "\"isGateway\":\"yes\"", "\"ipMasq\":1", "\"icc\":\"false\"", "\"dataDir\":1", "\"internal\":null,\"mtu\":[]",
                "\"runtimeConfig\":\"x\"", "\"runtimeConfig\":{\"portMappings\":\"x\"}",
                "\"runtimeConfig\":{\"portMappings\":[1]}", "\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":0,"
                        + "\"containerPort\":80,\"protocol\":\"tcp\"}]}",
                "\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":70000,\"containerPort\":80,\"protocol\":\"tcp\"}]}",
                "\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":80,\"containerPort\":-1,\"protocol\":\"tcp\"}]}",
                "\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":80,\"containerPort\":80,\"protocol\":\"icmp\"}]}",
                "\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":80,\"containerPort\":80,\"protocol\":\"tcp\","
                        + "\"hostIP\":\"x\"}]}",
                "\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":80,\"protocol\":\"tcp\"}]}",
                "\"runtimeConfig\":{\"mac\":\"zz\"}", "\"runtimeConfig\":{\"mac\":7}", "\"runtimeConfig\":{\"ips\":[\"x\"]}",
                "\"runtimeConfig\":{\"ips\":[\"10.9.9.9\"]}", "\"runtimeConfig\":{\"ips\":[\"10.233.90.1\"]}",
                "\"args\":{\"cni\":{\"ips\":[\"x\"]}}", "\"args\":\"x\"", "\"prevResult\":\"x\"",
                "\"prevResult\":{\"ips\":\"x\"}")) {
            add("config " + field, "jnet-bridge", env("ADD"), with(OK, "," + field), 7, null);
        }
        add("CHECK without prevResult", "jnet-bridge", env("CHECK"), OK, 7, "prevResult");
        add("CHECK without prevResult, none", "jnet-none", env("CHECK"), conf("jnet-none"), 7, "prevResult");
        add("GC attachments not a list", "jnet-bridge", rig.env("GC", null, null, null),
                with(OK, ",\"cni.dev/valid-attachments\":\"x\""), 7, null);
        add("GC attachment without id", "jnet-bridge", rig.env("GC", null, null, null),
                with(OK, ",\"cni.dev/valid-attachments\":[{\"ifname\":\"eth0\"}]"), 7, null);
        add("STATUS bad subnet", "jnet-bridge", rig.env("STATUS", null, null, null),
                OK.replace(SUBNET, "10.0.0.0/33"), 7, null);
        // ---- semantics: the calls that get as far as making something each have a namespace of their own, as two
        // containers never share one
        add("CHECK of nothing", "jnet-bridge", env("CHECK"), with(OK, prev), 100, null);
        add("an address another container holds", "jnet-bridge", own(env("ADD")),
                with(OK, ",\"runtimeConfig\":{\"ips\":[\"" + baseIp + "\"]}"), 11, null);
        add("a port another container publishes", "jnet-bridge", own(env("ADD")),
                with(OK, ",\"runtimeConfig\":{\"portMappings\":[" + Rig.port("tcp", 8080, 80) + "]}"), 7, "8080");
        Map<String, String> taken = env("ADD");
        taken.put("CNI_NETNS", baseNetns);
        add("an interface that exists in the netns", "jnet-bridge", taken, OK, 4, "CNI_IFNAME");
        add("a full network", "jnet-bridge", own(env("ADD")), Rig.bridgeConf("tiny", "jthc1", "10.233.91.0/30", ""), 50,
                null);
        // under 4 MB, but a million objects exhaust the plugin's 64 MB heap: still one error document
        add("a million empty objects", "jnet-bridge", env("DEL"),
                with(OK, ",\"x\":[" + "{},".repeat(1_300_000) + "{}]"), 999, "out of memory");
        add("an unknown container to join", "jnet-container", env("ADD"),
                with(conf("jnet-container"), ",\"container\":\"nope\""), 3, null);
        add("another namespace than the host's", "jnet-host", env("ADD"), conf("jnet-host"), 8, null);
    }

    @Test
    void everyHostileCaseIsOneErrorDocumentAndTheHostIsUnchanged(Sandbox sandbox,
                                                                  @org.junit.jupiter.api.io.TempDir Path tmp)
            throws Exception {
        try (Rig r = new Rig(sandbox)) {
            rig = r;
            this.sandbox = sandbox;
            Sandbox.Ns base = sandbox.namespace("base");
            Sandbox.Ns tinyBase = sandbox.namespace("tiny");
            ctr = sandbox.namespace("ctr").path();
            Rig.Call add = r.cni("jnet-bridge", r.env("ADD", "base", base.path(), "eth0"),
                    with(OK, ",\"runtimeConfig\":{\"portMappings\":[" + Rig.port("tcp", 8080, 80) + "]}"));
            assertEquals(0, add.exit(), add.stdout() + add.stderr());
            assertEquals(0, r.cni("jnet-bridge", r.env("ADD", "tiny", tinyBase.path(), "eth0"),
                    Rig.bridgeConf("tiny", "jthc1", "10.233.91.0/30", "")).exit());
            @SuppressWarnings("unchecked")
            String baseIp = ((String) ((List<Map<String, Object>>) add.json().get("ips")).get(0).get("address"))
                    .split("/")[0];
            generate(tmp, base.path(), baseIp);
            assertTrue(cases.size() >= 300, cases.size() + " cases");

            String before = r.settledSnapshot();
            List<String> failures = new ArrayList<>();
            int launched = 0;
            int group = Integer.getInteger("jnet.corpus.group", Rig.LONG ? 10 : 25);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                for (int from = 0; from < cases.size(); from += group) {
                    List<Case> slice = cases.subList(from, Math.min(cases.size(), from + group));
                    List<Future<String>> results = new ArrayList<>();
                    for (int i = 0; i < slice.size(); i++) {
                        Case c = slice.get(i);
                        int index = from + i;
                        results.add(pool.submit(() -> check(c, index)));
                        launched += viaLauncher(c, index) ? 1 : 0;
                    }
                    for (Future<String> f : results) {
                        String problem = f.get();
                        if (problem != null) {
                            failures.add(problem);
                        }
                    }
                    String now = r.snapshot();
                    if (!now.equals(before)) {
                        failures.add("the host changed during cases " + from + ".." + (from + slice.size() - 1) + ": "
                                + slice.stream().map(Case::name).toList() + "\n" + Rig.diff(before, now));
                        before = now;
                    }
                }
            } finally {
                pool.shutdownNow();
            }
            System.out.println("hostile corpus: " + cases.size() + " cases (" + launched + " through the launchers), "
                    + failures.size() + " failures");
            assertTrue(failures.isEmpty(), failures.size() + " of " + cases.size() + " cases failed:\n"
                    + String.join("\n", failures));
            assertEquals(0, r.cni("jnet-bridge", r.env("DEL", "base", base.path(), "eth0"), OK).exit());
            assertEquals(0, r.cni("jnet-bridge", r.env("DEL", "tiny", tinyBase.path(), "eth0"),
                    Rig.bridgeConf("tiny", "jthc1", "10.233.91.0/30", "")).exit());
        }
    }

    /**
     * Whether a case runs through the packaged launcher: in the long form all of them; in the short form those that
     * only a process can show (bytes that are not UTF-8 in the environment, a heap that runs out) and every eighth
     * of the others. The rest run through the same dispatcher in this JVM, on a thread in the sandbox host.
     */
    private static boolean viaLauncher(Case c, int index) {
        return Rig.LONG || c.shell() != null || c.code() == 999 || index % 8 == 0;
    }

    private Rig.Call inProcess(Case c) throws Exception {
        try (NetNs ns = NetNs.open(rig.host.path())) {
            return ns.call(() -> {
                var out = new ByteArrayOutputStream();
                var err = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
                CniPlugin plugin = switch (c.plugin()) {
                    case "jnet-bridge" -> new BridgePlugin(c.env());
                    case "jnet-none" -> new NonePlugin();
                    case "jnet-host" -> new HostPlugin(err);
                    case "jnet-container" -> new ContainerPlugin(rig.root);
                    case "jnet-ipam" -> new IpamPlugin(c.env());
                    default -> throw new IllegalArgumentException(c.plugin());
                };
                int exit = PluginMain.run(plugin, c.plugin(), c.env(), new ByteArrayInputStream(c.stdin()),
                        new PrintStream(out, true, StandardCharsets.UTF_8), err);
                return new Rig.Call(exit, out.toString(StandardCharsets.UTF_8), "");
            });
        }
    }

    /** Null when the case gave what it must; else what went wrong. */
    private String check(Case c, int index) throws Exception {
        Rig.Call call;
        if (!viaLauncher(c, index)) {
            call = inProcess(c);
        } else if (c.shell() != null) {
            Map<String, String> env = new HashMap<>(c.env());
            env.remove("CNI_IFNAME");
            Sandbox.Run run = Sandbox.run(env, c.stdin(), Sandbox.inCommand(rig.host, "sh", "-c",
                    c.shell() + " exec " + Rig.bin(c.plugin())));
            call = new Rig.Call(run.exit(), run.stdout(), run.stderr());
        } else {
            call = rig.cni(c.plugin(), c.env(), c.stdin());
        }
        String where = c.name() + " (" + c.plugin() + "): ";
        if (call.exit() != 1) {
            return where + "exit " + call.exit() + ", stdout " + cut(call.stdout());
        }
        if (!call.stdout().endsWith("}\n") || call.stdout().indexOf('\n') != call.stdout().length() - 1) {
            return where + "stdout is not one document and a newline: " + cut(call.stdout());
        }
        try {
            Map<String, Object> doc = call.json();     // one document: trailing content fails to parse
            long code = ((Number) doc.get("code")).longValue();
            String msg = (String) doc.get("msg");
            if (code != c.code()) {
                return where + "code " + code + " instead of " + c.code() + ": " + cut(call.stdout());
            }
            if (msg == null || msg.isBlank() || doc.get("cniVersion") == null) {
                return where + "no msg or cniVersion: " + cut(call.stdout());
            }
            if (c.mentions() != null && !call.stdout().contains(c.mentions())) {
                return where + "does not name " + c.mentions() + ": " + cut(call.stdout());
            }
            if (call.stdout().length() > 8192) {
                return where + "an error document of " + call.stdout().length() + " characters";
            }
        } catch (Exception e) {
            return where + "not a CNI error document: " + cut(call.stdout()) + " (" + e.getMessage() + ")";
        }
        return null;
    }

    private static String cut(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    static {
        // the corpus's documents are built by hand; make sure the valid one is valid
        try {
            Json.parseObject(OK.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
