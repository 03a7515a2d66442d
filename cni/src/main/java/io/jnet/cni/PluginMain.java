package io.jnet.cni;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The CNI dispatcher: validates the environment, the config and the version, calls the plugin and writes exactly
 * one JSON document on stdout (the result, the VERSION reply or the error), or nothing for a successful DEL, CHECK,
 * GC or STATUS. Every document ends with a newline, as Go's encoder writes the VERSION reply.
 *
 * <p>Errors are {@code {"cniVersion","code","msg","details"}} with exit code 1; {@code details} is omitted when
 * empty and {@code cniVersion} is the config's version once it is known and supported, else 1.1.0. Mapping:
 * <ul>
 *   <li>a {@link CniException} keeps its code (it is never wrapped again);</li>
 *   <li>a failure to read stdin, or an {@link UncheckedIOException} from a plugin, is code 5 (I/O failure): an
 *       I/O error is the spec's example of that code, and it tells the runtime the input was not at fault;</li>
 *   <li>any other RuntimeException or a LinkageError (say, a native library that does not load) is 999, as
 *       libcni wraps errors that are not CNI errors, and so is any other Throwable: an OutOfMemoryError (msg
 *       "out of memory") still gives one error document, never a stack trace alone.</li>
 * </ul>
 * Quoted input is cut ({@link Names#cut}) and msg and details are bounded, so an error document stays small.
 * Diagnostics go to stderr only when {@code JNET_DEBUG} is set (to anything but ""). A missing CNI_COMMAND also
 * prints the plugin's name and versions on stderr for the person who ran it by hand, as skel does.
 */
public final class PluginMain {

    /** The error document when even writing the error fails (say, out of memory again): built ahead of time. */
    private static final String LAST_RESORT = "{\"cniVersion\":\"" + CniVersion.LATEST.text()
            + "\",\"code\":" + ErrorCode.INTERNAL.code() + ",\"msg\":\"internal error\"}\n";
    /** The longest msg or details an error document carries; quoted values are cut much shorter where they are quoted. */
    private static final int MAX_ERROR_TEXT = 4096;

    private PluginMain() {
    }

    /** Receives the error a call ends with, before it is written: an in-process caller keeps its type and cause. */
    public interface Failures {
        void failed(CniException error);
    }

    public static int run(CniPlugin plugin, String pluginName, Map<String, String> env, InputStream stdin,
                          PrintStream stdout, PrintStream stderr) {
        return run(plugin, pluginName, env, stdin, stdout, stderr, null);
    }

    /** As {@link #run(CniPlugin, String, Map, InputStream, PrintStream, PrintStream)}; {@code failures} may be null. */
    public static int run(CniPlugin plugin, String pluginName, Map<String, String> env, InputStream stdin,
                          PrintStream stdout, PrintStream stderr, Failures failures) {
        boolean debug = !get(env, "JNET_DEBUG").isEmpty();
        String replyVersion = CniVersion.LATEST.text();
        String commandText = get(env, "CNI_COMMAND");
        CniException error;
        try {
            if (commandText.isEmpty()) {
                stderr.println("CNI plugin " + pluginName);
                stderr.println("CNI protocol versions supported: " + String.join(", ", versionTexts()));
                throw missing(List.of("CNI_COMMAND"));
            }
            Optional<CniCommand> parsed = CniCommand.parse(commandText);
            if (parsed.isEmpty()) {
                throw new CniException(ErrorCode.INVALID_ENVIRONMENT, "unknown CNI_COMMAND: "
                        + Names.cut(commandText));
            }
            CniCommand command = parsed.get();
            if (command == CniCommand.VERSION) {
                // written by hand: the runtime asks before every ADD and DEL, and this path then loads no JSON library
                byte[] reply = versionReply().getBytes(StandardCharsets.UTF_8);
                stdout.write(reply, 0, reply.length);
                stdout.flush();
                return 0;
            }
            requireEnv(command, env);
            boolean attachment = command.isAttachmentCommand();
            if (attachment) {
                Names.checkContainerId(get(env, "CNI_CONTAINERID"));
                Names.checkIfName(get(env, "CNI_IFNAME"));
            }

            Map<String, Object> raw = Json.parseObject(Json.readBounded(stdin));
            if (raw.get("cniVersion") instanceof String v && CniVersion.parse(v).isPresent()) {
                replyVersion = v;
            }
            NetConf config = NetConf.of(raw);
            checkVersionAllows(command, config.cniVersion());

            CniArgs args = attachment ? CniArgs.parse(get(env, "CNI_ARGS")) : CniArgs.EMPTY;
            String netns = attachment ? get(env, "CNI_NETNS") : "";
            if (command == CniCommand.ADD || command == CniCommand.CHECK) {
                args.requireKnown(plugin.knownArgs());
                checkNetns(plugin, env, netns);
            }
            if (command == CniCommand.CHECK && config.prevResult() == null) {
                // the spec: a runtime must pass the result of the ADD, and a plugin must fail without it
                throw new CniException(ErrorCode.INVALID_CONFIG, "CHECK needs prevResult in the config",
                        "pass the result of the ADD as prevResult");
            }
            CniRequest request = new CniRequest(command, attachment ? get(env, "CNI_CONTAINERID") : "", netns,
                    attachment ? get(env, "CNI_IFNAME") : "", args, pathList(get(env, "CNI_PATH")), config);

            switch (command) {
                case ADD -> {
                    Result result = plugin.add(request);
                    if (result == null) {
                        throw new CniException(ErrorCode.INTERNAL, "plugin " + pluginName + " returned no result");
                    }
                    emit(stdout, ResultCodec.toJson(result, config.cniVersion()));
                }
                case DEL -> plugin.del(request);
                case CHECK -> plugin.check(request);
                case GC -> plugin.gc(request);
                case STATUS -> plugin.status(request);
                case VERSION -> { }     // answered before the config was read
            }
            return 0;
        } catch (CniException e) {
            error = e;
        } catch (UncheckedIOException e) {
            error = new CniException(ErrorCode.IO_FAILURE, messageOf(e.getCause()), "", e);
        } catch (RuntimeException | LinkageError e) {
            error = new CniException(ErrorCode.INTERNAL, messageOf(e), e.getClass().getName(), e);
        } catch (OutOfMemoryError e) {
            // what held the memory is unreachable now, and an error document is small
            error = new CniException(ErrorCode.INTERNAL, "out of memory", "the input may be too large", e);
        } catch (Throwable e) {
            error = new CniException(ErrorCode.INTERNAL, messageOf(e), e.getClass().getName(), e);
        }
        try {
            writeError(stdout, replyVersion, error);
        } catch (Throwable e) {
            stdout.print(LAST_RESORT);
            stdout.flush();
        }
        if (failures != null) {
            failures.failed(error);
        }
        if (debug) {
            stderr.println(pluginName + ": " + commandText + " failed with code " + error.code().code() + ": "
                    + error.getMessage() + (error.details().isEmpty() ? "" : "; " + error.details()));
            error.printStackTrace(stderr);
        }
        return 1;
    }

    private static void requireEnv(CniCommand command, Map<String, String> env) throws CniException {
        List<String> missing = new ArrayList<>();
        for (String name : command.requiredEnv()) {
            if (get(env, name).isEmpty()) {
                missing.add(name);
            }
        }
        if (!missing.isEmpty()) {
            throw missing(missing);
        }
    }

    private static CniException missing(List<String> names) {
        String msg = names.size() == 1
                ? "required env variable " + names.get(0) + " missing"
                : "required env variables " + String.join(", ", names) + " missing";
        return new CniException(ErrorCode.INVALID_ENVIRONMENT, msg);
    }

    /** CHECK exists from 0.4.0, GC and STATUS from 1.1.0: an older config is code 1, as in skel. */
    private static void checkVersionAllows(CniCommand command, CniVersion version) throws CniException {
        CniVersion needed = switch (command) {
            case CHECK -> CniVersion.V0_4_0;
            case GC, STATUS -> CniVersion.V1_1_0;
            case ADD, DEL, VERSION -> CniVersion.V0_3_0;
        };
        if (!version.atLeast(needed)) {
            throw new CniException(ErrorCode.INCOMPATIBLE_VERSION, "config version does not allow " + command,
                    "config is \"" + version.text() + "\", " + command + " needs " + needed.text() + " or later");
        }
    }

    /**
     * The plugins open the netns themselves (with the kernel module, which also checks the namespace's type); this
     * turns what a runtime can get wrong into code 8 naming CNI_NETNS before any work, without opening anything (a
     * FIFO would block): a path that does not resolve, one with a trailing slash, a file that is not on the namespace
     * file system (a file, a directory, a device, a FIFO), and the plugin's own netns (allowed for a plugin that says
     * so, or with {@code CNI_NETNS_OVERRIDE=1|true}, as in skel).
     */
    private static void checkNetns(CniPlugin plugin, Map<String, String> env, String netns) throws CniException {
        Path path;
        try {
            path = Path.of(netns);
        } catch (InvalidPathException e) {
            throw new CniException(ErrorCode.INVALID_NETNS, "CNI_NETNS is not a valid path", Names.cut(netns));
        }
        if (netns.endsWith("/")) {
            throw new CniException(ErrorCode.INVALID_NETNS, "CNI_NETNS " + Names.cut(netns)
                    + " is not a network namespace: it ends with /");
        }
        Object dev;
        try {
            dev = Files.getAttribute(path, "unix:dev");
        } catch (IOException | UnsupportedOperationException e) {
            throw new CniException(ErrorCode.INVALID_NETNS, "failed to open CNI_NETNS " + Names.cut(netns)
                    + ": no such file, or it does not resolve", String.valueOf(e.getMessage()));
        }
        if (!dev.equals(nsfsDevice())) {
            throw new CniException(ErrorCode.INVALID_NETNS, "CNI_NETNS " + Names.cut(netns)
                    + " is not a network namespace", "it is not a namespace file");
        }
        String override = get(env, "CNI_NETNS_OVERRIDE");
        if (!plugin.acceptsOwnNetns() && !override.equals("1") && !override.equalsIgnoreCase("true")
                && sameFile(path, Path.of("/proc/self/ns/net"))) {
            throw new CniException(ErrorCode.INVALID_NETNS,
                    "plugin's netns and netns from CNI_NETNS should not be the same", netns);
        }
    }

    /** The device of the namespace file system: every namespace file has it. */
    private static Object nsfsDevice() throws CniException {
        try {
            return Files.getAttribute(Path.of("/proc/self/ns/net"), "unix:dev");
        } catch (IOException | UnsupportedOperationException e) {
            throw new CniException(ErrorCode.IO_FAILURE, "cannot stat /proc/self/ns/net: " + e.getMessage());
        }
    }

    /** Same device and inode (what identifies a namespace); false when either cannot be read. */
    private static boolean sameFile(Path a, Path b) {
        try {
            Map<String, Object> x = Files.readAttributes(a, "unix:dev,ino");
            Map<String, Object> y = Files.readAttributes(b, "unix:dev,ino");
            return x.get("dev").equals(y.get("dev")) && x.get("ino").equals(y.get("ino"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    private static List<String> pathList(String cniPath) {
        List<String> dirs = new ArrayList<>();
        for (String dir : cniPath.split(":")) {
            if (!dir.isEmpty()) {
                dirs.add(dir);
            }
        }
        return dirs;
    }

    /** {@code {"cniVersion":"1.1.0","supportedVersions":["0.3.0",...]}} and a newline; no text needs escaping. */
    private static String versionReply() {
        StringBuilder sb = new StringBuilder("{\"cniVersion\":\"").append(CniVersion.LATEST.text())
                .append("\",\"supportedVersions\":[");
        for (CniVersion v : CniVersion.SUPPORTED) {
            sb.append(v == CniVersion.SUPPORTED.get(0) ? "\"" : ",\"").append(v.text()).append('"');
        }
        return sb.append("]}\n").toString();
    }

    private static List<String> versionTexts() {
        List<String> texts = new ArrayList<>();
        for (CniVersion v : CniVersion.SUPPORTED) {
            texts.add(v.text());
        }
        return texts;
    }

    private static void writeError(PrintStream stdout, String version, CniException error) {
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("cniVersion", version);
        reply.put("code", error.code().code());
        reply.put("msg", bounded(error.getMessage()));
        if (!error.details().isEmpty()) {
            reply.put("details", bounded(error.details()));
        }
        emit(stdout, reply);
    }

    private static void emit(PrintStream stdout, Map<String, Object> document) {
        byte[] bytes = Json.writeBytes(document);
        stdout.write(bytes, 0, bytes.length);
        stdout.write('\n');
        stdout.flush();
    }

    private static String bounded(String text) {
        if (text == null) {
            return "";
        }
        return text.length() <= MAX_ERROR_TEXT ? text : text.substring(0, MAX_ERROR_TEXT) + "... (cut)";
    }

    private static String messageOf(Throwable t) {
        if (t instanceof ExceptionInInitializerError && t.getCause() != null) {
            return "initialization failed: " + messageOf(t.getCause()); // say why, not only that
        }
        return t == null ? "" : t.getMessage() != null ? t.getMessage() : t.getClass().getName();
    }

    private static String get(Map<String, String> env, String name) {
        String v = env.get(name);
        return v == null ? "" : v;
    }
}
