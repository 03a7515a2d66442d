package io.jnet.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class PluginMainTest {

    /** Records every call; answers ADD with {@link #result} and throws {@link #failure} when set. */
    static final class FakePlugin implements CniPlugin {
        final List<CniRequest> calls = new ArrayList<>();
        Result result = ResultCodecTest.FULL;
        Throwable failure;
        Set<String> known = Set.of();
        boolean ownNetns;

        @Override
        public Result add(CniRequest request) throws CniException {
            record(request);
            return result;
        }

        @Override
        public void del(CniRequest request) throws CniException {
            record(request);
        }

        @Override
        public void check(CniRequest request) throws CniException {
            record(request);
        }

        @Override
        public void gc(CniRequest request) throws CniException {
            record(request);
        }

        @Override
        public void status(CniRequest request) throws CniException {
            record(request);
        }

        @Override
        public Set<String> knownArgs() {
            return known;
        }

        @Override
        public boolean acceptsOwnNetns() {
            return ownNetns;
        }

        private void record(CniRequest request) throws CniException {
            calls.add(request);
            if (failure instanceof CniException e) {
                throw e;
            }
            if (failure instanceof RuntimeException e) {
                throw e;
            }
            if (failure instanceof Error e) {
                throw e;
            }
        }
    }

    /** What one invocation left behind. {@code reply} is stdout parsed, null when stdout is empty. */
    record Outcome(int exit, String stdout, String stderr, Map<String, Object> reply) {
        int code() {
            return ((Number) reply.get("code")).intValue();
        }

        String msg() {
            return (String) reply.get("msg");
        }
    }

    @TempDir
    Path tmp;
    Path netns;
    FakePlugin plugin;

    @BeforeEach
    void setUp() throws IOException {
        // a real namespace file (the test's own, allowed by the override that env() sets)
        netns = Path.of("/proc/self/ns/net");
        plugin = new FakePlugin();
    }

    Map<String, String> env(CniCommand command) {
        Map<String, String> env = new HashMap<>();
        env.put("CNI_COMMAND", command.name());
        if (command.isAttachmentCommand()) {
            env.put("CNI_CONTAINERID", "ctr1");
            env.put("CNI_NETNS", netns.toString());
            env.put("CNI_NETNS_OVERRIDE", "1");
            env.put("CNI_IFNAME", "eth0");
        }
        env.put("CNI_PATH", "/opt/cni/bin:/usr/libexec/cni");
        return env;
    }

    static String config(CniVersion version) {
        return config(version.text());
    }

    /** A config; from 0.4.0 on it carries a prevResult, which CHECK needs (and ADD of a chained plugin gets). */
    static String config(String version) {
        Optional<CniVersion> v = CniVersion.parse(version);
        String prev = v.isPresent() && v.get().atLeast(CniVersion.V0_4_0)
                ? ",\"prevResult\":" + ResultCodec.encode(ResultCodecTest.MINIMAL, v.get()) : "";
        return "{\"cniVersion\":\"" + version + "\",\"name\":\"jnet\",\"type\":\"jnet-bridge\",\"bridge\":\"jnet0\","
                + "\"ipam\":{\"type\":\"jnet-ipam\",\"subnet\":\"10.88.0.0/16\"},\"unknownField\":{\"keep\":[1,true]}"
                + prev + "}";
    }

    Outcome run(Map<String, String> env, String stdin) throws Exception {
        return run(env, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
    }

    Outcome run(Map<String, String> env, InputStream stdin) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = PluginMain.run(plugin, "jnet-test", env, stdin, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String stdout = out.toString(StandardCharsets.UTF_8);
        Map<String, Object> reply = null;
        if (!stdout.isEmpty()) {
            assertTrue(stdout.endsWith("\n"), "one document and a newline: " + stdout);
            assertEquals(stdout.indexOf('\n'), stdout.length() - 1, "exactly one line on stdout: " + stdout);
            reply = Json.parseObject(stdout.getBytes(StandardCharsets.UTF_8));   // rejects anything after it
        }
        return new Outcome(exit, stdout, err.toString(StandardCharsets.UTF_8), reply);
    }

    /** Asserts the error reply shape and returns it. */
    static Outcome assertError(Outcome o, ErrorCode code, String replyVersion) {
        assertEquals(1, o.exit(), o.stdout());
        assertEquals(code.code(), o.code(), o.stdout());
        assertEquals(replyVersion, o.reply().get("cniVersion"));
        assertTrue(o.reply().get("msg") instanceof String);
        assertTrue(Set.of("cniVersion", "code", "msg", "details").containsAll(o.reply().keySet()), o.stdout());
        assertFalse("".equals(o.reply().get("details")), "details omitted rather than empty");
        return o;
    }

    // ---- VERSION ----------------------------------------------------------------------------------------------

    @Test
    void versionPrintsExactlyTheSupportedVersionsWithoutReadingStdin() throws Exception {
        InputStream untouchable = new InputStream() {
            @Override
            public int read() {
                throw new AssertionError("VERSION must not read stdin");
            }
        };
        Outcome o = run(Map.of("CNI_COMMAND", "VERSION"), untouchable);
        assertEquals(0, o.exit());
        assertEquals("{\"cniVersion\":\"1.1.0\",\"supportedVersions\":[\"0.3.0\",\"0.3.1\",\"0.4.0\",\"1.0.0\","
                + "\"1.1.0\"]}\n", o.stdout());
        assertEquals("", o.stderr());
        assertTrue(plugin.calls.isEmpty());
    }

    @Test
    void versionIgnoresGarbageOnStdinAndOtherVariables() throws Exception {
        Map<String, String> env = env(CniCommand.VERSION);
        env.put("CNI_CONTAINERID", "../../etc");
        Outcome o = run(env, "not json at all");
        assertEquals(0, o.exit());
        assertEquals("1.1.0", o.reply().get("cniVersion"));
    }

    // ---- environment ------------------------------------------------------------------------------------------

    @Test
    void missingCommandIsCode4AndTellsAPersonWhatThisIs() throws Exception {
        Outcome o = assertError(run(Map.of(), config(CniVersion.V1_1_0)), ErrorCode.INVALID_ENVIRONMENT, "1.1.0");
        assertEquals("required env variable CNI_COMMAND missing", o.msg());
        assertTrue(o.stderr().contains("CNI plugin jnet-test"), o.stderr());
        assertTrue(o.stderr().contains("0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0"), o.stderr());
    }

    @ParameterizedTest
    @ValueSource(strings = {"FOO", "add", "Version", " ADD"})
    void unknownCommandIsCode4(String command) throws Exception {
        Outcome o = assertError(run(Map.of("CNI_COMMAND", command), config(CniVersion.V1_1_0)),
                ErrorCode.INVALID_ENVIRONMENT, "1.1.0");
        assertEquals("unknown CNI_COMMAND: " + command, o.msg());
    }

    static Stream<Arguments> requiredVariables() {
        List<Arguments> out = new ArrayList<>();
        for (CniCommand c : CniCommand.values()) {
            for (String name : c.requiredEnv()) {
                out.add(Arguments.of(c, name));
            }
        }
        return out.stream();
    }

    @ParameterizedTest
    @MethodSource("requiredVariables")
    void eachMissingVariableIsNamed(CniCommand command, String name) throws Exception {
        for (boolean empty : new boolean[] {false, true}) {
            Map<String, String> env = env(command);
            if (empty) {
                env.put(name, "");
            } else {
                env.remove(name);
            }
            Outcome o = assertError(run(env, config(CniVersion.V1_1_0)), ErrorCode.INVALID_ENVIRONMENT, "1.1.0");
            assertEquals("required env variable " + name + " missing", o.msg());
        }
        assertTrue(plugin.calls.isEmpty());
    }

    @Test
    void severalMissingVariablesAreAllNamed() throws Exception {
        Outcome o = assertError(run(Map.of("CNI_COMMAND", "ADD"), config(CniVersion.V1_1_0)),
                ErrorCode.INVALID_ENVIRONMENT, "1.1.0");
        assertEquals("required env variables CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME missing", o.msg());
    }

    @ParameterizedTest
    @EnumSource(value = CniCommand.class, names = {"ADD", "DEL", "CHECK", "GC", "STATUS"})
    void cniPathIsOptional(CniCommand command) throws Exception {
        Map<String, String> env = env(command);
        env.remove("CNI_PATH");
        Outcome o = run(env, config(CniVersion.V1_1_0));
        assertEquals(0, o.exit(), o.stdout());
        assertEquals(List.of(), plugin.calls.get(0).path());
    }

    @Test
    void delNeedsNoNetns() throws Exception {
        Map<String, String> env = env(CniCommand.DEL);
        env.remove("CNI_NETNS");
        Outcome o = run(env, config(CniVersion.V1_1_0));
        assertEquals(0, o.exit(), o.stdout());
        assertEquals("", o.stdout());
        assertEquals("", plugin.calls.get(0).netns());
    }

    @Test
    void delWithAVanishedNetnsStillReachesThePlugin() throws Exception {
        Map<String, String> env = env(CniCommand.DEL);
        env.put("CNI_NETNS", tmp.resolve("gone").toString());
        assertEquals(0, run(env, config(CniVersion.V0_3_0)).exit());
        assertEquals(1, plugin.calls.size());
    }

    @ParameterizedTest
    @EnumSource(value = CniCommand.class, names = {"GC", "STATUS"})
    void gcAndStatusNeedOnlyTheCommand(CniCommand command) throws Exception {
        Outcome o = run(Map.of("CNI_COMMAND", command.name(), "CNI_CONTAINERID", "/bad", "CNI_IFNAME", "bad/if"),
                config(CniVersion.V1_1_0));
        assertEquals(0, o.exit(), o.stdout());
        CniRequest r = plugin.calls.get(0);
        assertEquals(command, r.command());
        assertEquals("", r.containerId());
        assertEquals("", r.ifName());
        assertEquals("", r.netns());
        assertEquals(CniArgs.EMPTY, r.args());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "..", ".", "../../etc/passwd", "a/b", "-x", "a b", "ctr\n1"})
    void badContainerIdsAreCode4AndNeverReachThePlugin(String id) throws Exception {
        for (CniCommand c : List.of(CniCommand.ADD, CniCommand.DEL, CniCommand.CHECK)) {
            Map<String, String> env = env(c);
            env.put("CNI_CONTAINERID", id);
            Outcome o = assertError(run(env, config(CniVersion.V1_1_0)), ErrorCode.INVALID_ENVIRONMENT, "1.1.0");
            assertTrue(o.msg().startsWith("CNI_CONTAINERID has invalid characters"), o.msg());
            assertEquals(id, o.reply().get("details"));
        }
        assertTrue(plugin.calls.isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {".", "..", "a/b", "eth:0", "eth 0", "abcdefghijklmnop"})
    void badIfNamesAreCode4(String ifName) throws Exception {
        Map<String, String> env = env(CniCommand.ADD);
        env.put("CNI_IFNAME", ifName);
        assertError(run(env, config(CniVersion.V1_1_0)), ErrorCode.INVALID_ENVIRONMENT, "1.1.0");
        assertTrue(plugin.calls.isEmpty());
    }

    // ---- stdin and config -------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "{\"cniVersion\":\"1.1.0\",\"name\":\"n\"} trailing", "[1,2]", "\"str\"",
            "{\"cniVersion\":\"1.1.0\",\"name\":\"n\",}"})
    void malformedConfigIsCode6(String stdin) throws Exception {
        assertError(run(env(CniCommand.ADD), stdin), ErrorCode.DECODING_FAILURE, "1.1.0");
        assertTrue(plugin.calls.isEmpty());
    }

    @ParameterizedTest
    @EnumSource(value = CniCommand.class, names = {"ADD", "DEL", "CHECK", "GC", "STATUS"})
    void oneMegabyteOfGarbageIsOneCleanError(CniCommand command) throws Exception {
        byte[] garbage = new byte[1 << 20];
        new Random(1).nextBytes(garbage);
        Outcome o = assertError(run(env(command), new ByteArrayInputStream(garbage)), ErrorCode.DECODING_FAILURE,
                "1.1.0");
        assertTrue(o.stdout().length() < 1000, "short error: " + o.stdout().length());
        assertEquals("", o.stderr());
    }

    @Test
    void oversizedInputIsRefused() throws Exception {
        byte[] big = new byte[Json.MAX_INPUT_BYTES + 10];
        Arrays.fill(big, (byte) ' ');
        assertError(run(env(CniCommand.ADD), new ByteArrayInputStream(big)), ErrorCode.DECODING_FAILURE, "1.1.0");
    }

    @Test
    void unreadableStdinIsCode5() throws Exception {
        InputStream broken = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("EIO");
            }
        };
        Outcome o = assertError(run(env(CniCommand.ADD), broken), ErrorCode.IO_FAILURE, "1.1.0");
        assertTrue(o.msg().contains("EIO"));
    }

    @Test
    void missingNetworkNameIsCode7() throws Exception {
        Outcome o = assertError(run(env(CniCommand.ADD), "{\"cniVersion\":\"0.4.0\",\"type\":\"x\"}"),
                ErrorCode.INVALID_CONFIG, "0.4.0");
        assertEquals("missing network name", o.msg());
    }

    @ParameterizedTest
    @EnumSource(value = CniCommand.class, names = {"ADD", "DEL", "CHECK", "GC", "STATUS"})
    void unsupportedOrMissingVersionIsCode1(CniCommand command) throws Exception {
        for (String stdin : List.of(config("0.2.0"), config("2.0.0"), "{\"name\":\"n\",\"type\":\"t\"}")) {
            Outcome o = assertError(run(env(command), stdin), ErrorCode.INCOMPATIBLE_VERSION, "1.1.0");
            assertEquals("incompatible CNI versions", o.msg());
            assertTrue(((String) o.reply().get("details")).contains("plugin supports [\"0.3.0\" \"0.3.1\" \"0.4.0\" "
                    + "\"1.0.0\" \"1.1.0\"]"), o.stdout());
        }
        assertTrue(plugin.calls.isEmpty());
    }

    static Stream<Arguments> commandsAndVersions() {
        List<Arguments> out = new ArrayList<>();
        for (CniCommand c : List.of(CniCommand.ADD, CniCommand.DEL, CniCommand.CHECK, CniCommand.GC,
                CniCommand.STATUS)) {
            for (CniVersion v : CniVersion.values()) {
                out.add(Arguments.of(c, v));
            }
        }
        return out.stream();
    }

    @ParameterizedTest
    @MethodSource("commandsAndVersions")
    void commandsAreGatedByConfigVersion(CniCommand command, CniVersion version) throws Exception {
        boolean allowed = switch (command) {
            case CHECK -> version.supportsCheck();
            case GC, STATUS -> version.supportsGcAndStatus();
            default -> true;
        };
        Outcome o = run(env(command), config(version));
        if (allowed) {
            assertEquals(0, o.exit(), o.stdout());
            assertEquals(1, plugin.calls.size());
            assertEquals(command, plugin.calls.get(0).command());
            assertEquals(version, plugin.calls.get(0).config().cniVersion());
        } else {
            assertError(o, ErrorCode.INCOMPATIBLE_VERSION, version.text());
            assertEquals("config version does not allow " + command, o.msg());
            assertTrue(plugin.calls.isEmpty());
        }
    }

    // ---- output -----------------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(CniVersion.class)
    void addPrintsTheResultInTheConfigVersion(CniVersion version) throws Exception {
        Outcome o = run(env(CniCommand.ADD), config(version));
        assertEquals(0, o.exit(), o.stdout());
        assertEquals(Json.parse(ResultCodec.encode(ResultCodecTest.FULL, version)), o.reply());
        assertEquals(version.text(), o.reply().get("cniVersion"));
        List<Object> ips = Json.asArray(o.reply().get("ips"), "ips");
        Map<String, Object> first = Json.asObject(ips.get(0), "ips[0]");
        assertEquals(version.atLeast(CniVersion.V1_0_0) ? null : "4", first.get("version"));
        assertEquals("", o.stderr());
    }

    @ParameterizedTest
    @EnumSource(value = CniCommand.class, names = {"DEL", "CHECK", "GC", "STATUS"})
    void otherCommandsPrintNothingOnSuccess(CniCommand command) throws Exception {
        Outcome o = run(env(command), config(CniVersion.V1_1_0));
        assertEquals(0, o.exit());
        assertEquals("", o.stdout());
        assertEquals("", o.stderr());
    }

    @Test
    void addPassesTheWholeRequest() throws Exception {
        Map<String, String> env = env(CniCommand.ADD);
        env.put("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAME=web;IP=10.88.0.9");
        String prev = ResultCodec.encode(ResultCodecTest.MINIMAL, CniVersion.V1_0_0);
        String stdin = "{\"cniVersion\":\"1.0.0\",\"name\":\"jnet\",\"type\":\"jnet-bridge\",\"someFutureKey\":"
                + "[1,{\"a\":null}],\"runtimeConfig\":{\"mac\":\"c2:11:22:33:44:55\"},\"prevResult\":" + prev + "}";
        assertEquals(0, run(env, stdin).exit());
        CniRequest r = plugin.calls.get(0);
        assertEquals(CniCommand.ADD, r.command());
        assertEquals("ctr1", r.containerId());
        assertEquals(netns.toString(), r.netns());
        assertEquals("eth0", r.ifName());
        assertEquals(List.of("/opt/cni/bin", "/usr/libexec/cni"), r.path());
        assertEquals("10.88.0.9", r.args().get("IP").orElseThrow());
        assertTrue(r.args().ignoreUnknown());
        assertEquals("jnet", r.config().name());
        assertEquals(ResultCodecTest.MINIMAL, r.config().prevResult());
        assertEquals("c2:11:22:33:44:55", r.config().runtimeConfig().get("mac"));
        assertEquals(Json.parse("[1,{\"a\":null}]"), r.config().raw().get("someFutureKey"));
    }

    @Test
    void unknownConfigFieldsReachThePluginInRaw() throws Exception {
        assertEquals(0, run(env(CniCommand.CHECK), config(CniVersion.V0_4_0)).exit());
        NetConf c = plugin.calls.get(0).config();
        assertEquals(Json.parse("{\"keep\":[1,true]}"), c.raw().get("unknownField"));
        assertEquals("jnet0", c.raw().get("bridge"));
        assertEquals("10.88.0.0/16", c.ipamRaw().get("subnet"));
    }

    @Test
    void addWithoutAResultIsInternal() throws Exception {
        plugin.result = null;
        assertError(run(env(CniCommand.ADD), config(CniVersion.V1_0_0)), ErrorCode.INTERNAL, "1.0.0");
    }

    // ---- errors from the plugin -------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(CniVersion.class)
    void pluginErrorsPassThroughInTheConfigVersion(CniVersion version) throws Exception {
        plugin.failure = new CniException(ErrorCode.INVALID_CONFIG, "Invalid Configuration",
                "Network 192.168.0.0/31 too small to allocate from.");
        Outcome o = assertError(run(env(CniCommand.ADD), config(version)), ErrorCode.INVALID_CONFIG, version.text());
        assertEquals(Map.of("cniVersion", version.text(), "code", 7L, "msg", "Invalid Configuration",
                "details", "Network 192.168.0.0/31 too small to allocate from."), o.reply());
        assertEquals(List.of("cniVersion", "code", "msg", "details"), new ArrayList<>(o.reply().keySet()));
    }

    @ParameterizedTest
    @EnumSource(ErrorCode.class)
    void everyCodeIsKeptAsIsAndEmptyDetailsAreOmitted(ErrorCode code) throws Exception {
        plugin.failure = new CniException(code, "failed " + code);
        Outcome o = assertError(run(env(CniCommand.DEL), config(CniVersion.V1_1_0)), code, "1.1.0");
        assertEquals("failed " + code, o.msg());
        assertFalse(o.reply().containsKey("details"));
    }

    @Test
    void statusUnavailableIsAnErrorOnStdout() throws Exception {
        plugin.failure = new CniException(ErrorCode.NOT_AVAILABLE, "address pool exhausted");
        Outcome o = assertError(run(env(CniCommand.STATUS), config(CniVersion.V1_1_0)), ErrorCode.NOT_AVAILABLE,
                "1.1.0");
        assertEquals(50, o.code());
    }

    @Test
    void runtimeExceptionsBecome999() throws Exception {
        plugin.failure = new IllegalStateException("bridge vanished");
        Outcome o = assertError(run(env(CniCommand.ADD), config(CniVersion.V1_1_0)), ErrorCode.INTERNAL, "1.1.0");
        assertEquals("bridge vanished", o.msg());
        assertEquals("java.lang.IllegalStateException", o.reply().get("details"));
        assertEquals("", o.stderr(), "no stack trace without JNET_DEBUG");
    }

    /** Any Throwable, OutOfMemoryError included, is one error document and exit 1, never a stack trace alone. */
    @Test
    void errorsAndOutOfMemoryAreOneErrorDocument() throws Exception {
        plugin.failure = new OutOfMemoryError("Java heap space");
        Outcome o = assertError(run(env(CniCommand.ADD), config(CniVersion.V1_1_0)), ErrorCode.INTERNAL, "1.1.0");
        assertEquals("out of memory", o.msg());
        plugin.failure = new StackOverflowError();
        o = assertError(run(env(CniCommand.DEL), config(CniVersion.V1_1_0)), ErrorCode.INTERNAL, "1.1.0");
        assertEquals("java.lang.StackOverflowError", o.msg());
    }

    /** A huge value in the input is quoted cut: the error document stays small. */
    @Test
    void hugeValuesAreQuotedCut() throws Exception {
        String name = "-" + "n".repeat(3_000_000);
        Outcome o = assertError(run(env(CniCommand.ADD), "{\"cniVersion\":\"1.1.0\",\"name\":\"" + name + "\"}"),
                ErrorCode.INVALID_CONFIG, "1.1.0");
        assertTrue(o.stdout().length() < 1000, "error document of " + o.stdout().length() + " characters");
        Map<String, String> env = env(CniCommand.ADD);
        env.put("CNI_COMMAND", "X".repeat(1_000_000));
        assertTrue(run(env, config(CniVersion.V1_1_0)).stdout().length() < 1000);
    }

    @Test
    void exceptionsWithoutAMessageAreNamedByClass() throws Exception {
        plugin.failure = new NullPointerException();
        Outcome o = assertError(run(env(CniCommand.ADD), config(CniVersion.V1_1_0)), ErrorCode.INTERNAL, "1.1.0");
        assertEquals("java.lang.NullPointerException", o.msg());
    }

    @Test
    void uncheckedIoBecomesCode5() throws Exception {
        plugin.failure = new UncheckedIOException(new IOException("netlink socket: EPERM"));
        Outcome o = assertError(run(env(CniCommand.CHECK), config(CniVersion.V1_1_0)), ErrorCode.IO_FAILURE,
                "1.1.0");
        assertEquals("netlink socket: EPERM", o.msg());
    }

    @Test
    void linkageErrorsBecome999() throws Exception {
        plugin.failure = new UnsatisfiedLinkError("libc.so.6 not found");
        assertError(run(env(CniCommand.ADD), config(CniVersion.V1_1_0)), ErrorCode.INTERNAL, "1.1.0");
    }

    @Test
    void stackTracesGoToStderrOnlyWithJnetDebug() throws Exception {
        plugin.failure = new IllegalStateException("bridge vanished");
        Map<String, String> env = env(CniCommand.ADD);
        env.put("JNET_DEBUG", "1");
        Outcome o = assertError(run(env, config(CniVersion.V1_1_0)), ErrorCode.INTERNAL, "1.1.0");
        assertTrue(o.stderr().contains("jnet-test: ADD failed with code 999: bridge vanished"), o.stderr());
        assertTrue(o.stderr().contains("java.lang.IllegalStateException: bridge vanished"), o.stderr());
        assertTrue(o.stderr().contains("\tat "), "stack trace");
    }

    // ---- CNI_ARGS ---------------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(value = CniCommand.class, names = {"ADD", "CHECK"})
    void unknownArgsFailAddAndCheckWithoutIgnoreUnknown(CniCommand command) throws Exception {
        Map<String, String> env = env(command);
        env.put("CNI_ARGS", "K8S_POD_NAME=web;X=1");
        Outcome o = assertError(run(env, config(CniVersion.V1_1_0)), ErrorCode.INVALID_ENVIRONMENT, "1.1.0");
        // what kubelet and Podman send is no exception: they send IgnoreUnknown=1 with it
        assertEquals("ARGS: unknown args [\"K8S_POD_NAME=web\" \"X=1\"]", o.msg());
        assertEquals("CNI_ARGS: add IgnoreUnknown=1 (for example CNI_ARGS=\"IgnoreUnknown=1;K8S_POD_NAME=web;X=1\") "
                + "to ignore keys this plugin does not know", o.reply().get("details"));
        assertTrue(plugin.calls.isEmpty());

        env.put("CNI_ARGS", "IgnoreUnknown=true;K8S_POD_NAME=web;X=1");
        assertEquals(0, run(env, config(CniVersion.V1_1_0)).exit());
    }

    @Test
    void argsThePluginDeclaresAreAccepted() throws Exception {
        plugin.known = Set.of("IP", "MAC");
        Map<String, String> env = env(CniCommand.ADD);
        env.put("CNI_ARGS", "IP=10.88.0.9;MAC=c2:11:22:33:44:55");
        assertEquals(0, run(env, config(CniVersion.V1_1_0)).exit());
    }

    @Test
    void delToleratesUnknownArgs() throws Exception {
        Map<String, String> env = env(CniCommand.DEL);
        env.put("CNI_ARGS", "X=1");
        assertEquals(0, run(env, config(CniVersion.V1_1_0)).exit());
        assertEquals("1", plugin.calls.get(0).args().get("X").orElseThrow());
    }

    @ParameterizedTest
    @EnumSource(value = CniCommand.class, names = {"ADD", "DEL", "CHECK"})
    void malformedArgsAreCode4(CniCommand command) throws Exception {
        Map<String, String> env = env(command);
        env.put("CNI_ARGS", "IgnoreUnknown=1;JUSTAKEY");
        Outcome o = assertError(run(env, config(CniVersion.V1_1_0)), ErrorCode.INVALID_ENVIRONMENT, "1.1.0");
        assertTrue(o.msg().startsWith("CNI_ARGS: "), o.msg());
    }

    // ---- netns ------------------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(value = CniCommand.class, names = {"ADD", "CHECK"})
    void aNetnsThatDoesNotExistIsCode8(CniCommand command) throws Exception {
        Map<String, String> env = env(command);
        String missing = tmp.resolve("no-such-netns").toString();
        env.put("CNI_NETNS", missing);
        Outcome o = assertError(run(env, config(CniVersion.V1_1_0)), ErrorCode.INVALID_NETNS, "1.1.0");
        assertEquals("failed to open CNI_NETNS " + missing + ": no such file, or it does not resolve", o.msg());
        assertTrue(plugin.calls.isEmpty());
    }

    /** What is not a namespace file is code 8 naming CNI_NETNS before the plugin runs; a FIFO never blocks. */
    @ParameterizedTest
    @EnumSource(value = CniCommand.class, names = {"ADD", "CHECK"})
    void aPathThatIsNotANamespaceIsCode8(CniCommand command) throws Exception {
        Path fifo = tmp.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        Path file = Files.writeString(tmp.resolve("file"), "x");
        Files.createSymbolicLink(tmp.resolve("loop-a"), tmp.resolve("loop-b"));
        Files.createSymbolicLink(tmp.resolve("loop-b"), tmp.resolve("loop-a"));
        for (String path : List.of(fifo.toString(), file.toString(), tmp.toString(), "/dev/null",
                tmp.resolve("loop-a").toString(), "/proc/self/ns/net/")) {
            Map<String, String> env = env(command);
            env.put("CNI_NETNS", path);
            Outcome o = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> run(env, config(CniVersion.V1_1_0)));
            assertError(o, ErrorCode.INVALID_NETNS, "1.1.0");
            assertTrue(o.msg().contains("CNI_NETNS " + path), path + ": " + o.msg());
        }
        assertTrue(plugin.calls.isEmpty());
    }

    /** The spec: CHECK must fail when the runtime passes no prevResult. */
    @Test
    void checkWithoutPrevResultIsAnError() throws Exception {
        String noPrev = "{\"cniVersion\":\"1.1.0\",\"name\":\"jnet\",\"type\":\"jnet-bridge\"}";
        Outcome o = assertError(run(env(CniCommand.CHECK), noPrev), ErrorCode.INVALID_CONFIG, "1.1.0");
        assertEquals("CHECK needs prevResult in the config", o.msg());
        assertTrue(plugin.calls.isEmpty());
    }

    @Test
    void thePluginsOwnNetnsIsRefusedUnlessAllowed() throws Exception {
        Path own = Path.of("/proc/self/ns/net");
        // not a privilege or a tool CI installs, so JNET_REQUIRE_PRIVILEGED does not apply: the cni module's unit tests
        // also run on machines without procfs, where a plugin's own namespace cannot be named at all
        assumeTrue(Files.exists(own), "needs Linux procfs");
        Map<String, String> env = env(CniCommand.ADD);
        env.put("CNI_NETNS", own.toString());
        env.remove("CNI_NETNS_OVERRIDE");
        Outcome o = assertError(run(env, config(CniVersion.V1_1_0)), ErrorCode.INVALID_NETNS, "1.1.0");
        assertEquals("plugin's netns and netns from CNI_NETNS should not be the same", o.msg());

        env.put("CNI_NETNS_OVERRIDE", "true");
        assertEquals(0, run(env, config(CniVersion.V1_1_0)).exit());

        env.remove("CNI_NETNS_OVERRIDE");
        plugin.ownNetns = true;
        assertEquals(0, run(env, config(CniVersion.V1_1_0)).exit());
        assertEquals(2, plugin.calls.size());
    }

    @Test
    void errorReplyUsesTheConfigVersionOnlyWhenSupported() throws Exception {
        Map<String, String> env = env(CniCommand.ADD);
        env.put("CNI_NETNS", tmp.resolve("gone").toString());
        assertError(run(env, config(CniVersion.V0_3_1)), ErrorCode.INVALID_NETNS, "0.3.1");
        assertError(run(env, config("0.2.0")), ErrorCode.INCOMPATIBLE_VERSION, "1.1.0");
    }
}
