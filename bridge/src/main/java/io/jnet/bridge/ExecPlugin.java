package io.jnet.bridge;

import io.jnet.cni.CniException;
import io.jnet.cni.CniPlugin;
import io.jnet.cni.CniRequest;
import io.jnet.cni.ErrorCode;
import io.jnet.cni.Json;
import io.jnet.cni.Names;
import io.jnet.cni.NetConf;
import io.jnet.cni.Result;
import io.jnet.cni.ResultCodec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A delegated IPAM plugin ({@code ipam.type} other than jnet-ipam), run as the spec requires: found in CNI_PATH,
 * exec'd with the same CNI_* variables and the network config on stdin. This is the one place where production code
 * starts a process, and it only ever starts the CNI plugin that the config names.
 *
 * <p>Stdin is written on its own thread while stdout is read, so a delegate that answers before it has read all its
 * input cannot deadlock us; the whole call has a deadline, after which the delegate is killed; stdout is bounded.
 */
final class ExecPlugin implements CniPlugin {

    /** How long a delegate may take: host-local answers in milliseconds, DHCP may wait for a lease. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    /** A daemon thread per pipe: a delegate that never closes its stdout must not keep the JVM alive. */
    private static final Executor PIPE_THREADS = task -> {
        Thread t = new Thread(task, "ipam-pipe");
        t.setDaemon(true);
        t.start();
    };

    /** A delegate's stderr kept for the caller; more is cut, so a chatty delegate cannot fill a daemon's heap. */
    static final int MAX_STDERR_BYTES = 1 << 20;

    private final String type;
    private final Duration timeout;
    private final Map<String, String> callEnv;
    private final PrintStream stderr;

    ExecPlugin(String type) {
        this(type, DEFAULT_TIMEOUT);
    }

    ExecPlugin(String type, Duration timeout) {
        this(type, timeout, System.getenv(), System.err);
    }

    /**
     * A delegate run for a call whose environment is {@code callEnv} (the daemon's caller's, not the daemon's: its
     * CNI_* and JNET_* variables replace this process's) and whose stderr is {@code stderr}.
     */
    ExecPlugin(String type, Duration timeout, Map<String, String> callEnv, PrintStream stderr) {
        this.type = type;
        this.timeout = timeout;
        this.callEnv = callEnv;
        this.stderr = stderr;
    }

    @Override
    public Result add(CniRequest request) throws CniException {
        Map<String, Object> out = exec(request, "ADD");
        return ResultCodec.decode(out, type + " result");
    }

    @Override
    public void del(CniRequest request) throws CniException {
        exec(request, "DEL");
    }

    @Override
    public void check(CniRequest request) throws CniException {
        exec(request, "CHECK");
    }

    @Override
    public void gc(CniRequest request) throws CniException {
        exec(request, "GC");
    }

    @Override
    public void status(CniRequest request) throws CniException {
        exec(request, "STATUS");
    }

    private Map<String, Object> exec(CniRequest request, String command) throws CniException {
        Path binary = find(request);
        ProcessBuilder pb = new ProcessBuilder(binary.toString());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(name -> name.startsWith("CNI_") || name.startsWith("JNET_"));
        callEnv.forEach((name, value) -> {
            if (name.startsWith("CNI_") || name.startsWith("JNET_")) {
                env.put(name, value);
            }
        });
        env.put("CNI_COMMAND", command);
        boolean attachment = request.command().isAttachmentCommand();
        for (String name : new String[] {"CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_ARGS"}) {
            env.remove(name); // GC and STATUS name no attachment; what we inherited is not the delegate's
        }
        if (attachment) {
            env.put("CNI_CONTAINERID", request.containerId());
            env.put("CNI_NETNS", request.netns());
            env.put("CNI_IFNAME", request.ifName());
            env.put("CNI_ARGS", request.args().raw());
        }
        env.put("CNI_PATH", String.join(":", request.path()));
        pb.redirectError(ProcessBuilder.Redirect.PIPE); // a delegate's logs are the call's: copied to its stderr
        String what = "IPAM plugin " + binary + " " + command;
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new CniException(ErrorCode.IO_FAILURE, "cannot run " + what + ": " + e.getMessage(), "", e);
        }
        try {
            byte[] config = Json.writeBytes(stdinConfig(request.config()));
            long deadline = System.nanoTime() + timeout.toNanos();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> write(p, config), PIPE_THREADS);
            CompletableFuture<byte[]> reader = CompletableFuture.supplyAsync(() -> read(p), PIPE_THREADS);
            CompletableFuture<byte[]> logs = CompletableFuture.supplyAsync(() -> readErr(p), PIPE_THREADS);
            byte[] stdout = reader.get(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (!p.waitFor(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                throw new TimeoutException();
            }
            byte[] err = logs.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (err.length > 0) {
                stderr.write(err, 0, err.length);
                stderr.flush();
            }
            writer.cancel(true); // a delegate may exit without reading all its input; that is its business
            int exit = p.exitValue();
            String text = new String(stdout, StandardCharsets.UTF_8).strip();
            if (exit != 0) {
                throw delegateError(command, text, exit);
            }
            return text.isEmpty() ? Map.of() : Json.parseObject(stdout);
        } catch (TimeoutException e) {
            throw new CniException(ErrorCode.IO_FAILURE, what + " did not finish within " + timeout.toSeconds()
                    + " s and was killed", "", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof DelegateIo io ? io.getCause() : e.getCause();
            throw new CniException(ErrorCode.IO_FAILURE, what + ": " + cause.getMessage(), "", cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CniException(ErrorCode.TRY_AGAIN_LATER, "interrupted while running " + what, "", e);
        } finally {
            p.destroyForcibly();
        }
    }

    /** Stdout up to the size of a CNI document; more is an error, not an exhausted heap. */
    private static byte[] read(Process p) {
        try (InputStream in = p.getInputStream()) {
            byte[] data = in.readNBytes(Json.MAX_INPUT_BYTES + 1);
            if (data.length > Json.MAX_INPUT_BYTES) {
                throw new DelegateIo(new IOException("its output exceeds " + Json.MAX_INPUT_BYTES + " bytes"));
            }
            in.transferTo(OutputStream.nullOutputStream());
            return data;
        } catch (IOException e) {
            throw new DelegateIo(e);
        }
    }

    /** Stderr up to {@link #MAX_STDERR_BYTES}; the rest is drained, so the delegate never blocks on it. */
    private static byte[] readErr(Process p) {
        try (InputStream in = p.getErrorStream()) {
            byte[] data = in.readNBytes(MAX_STDERR_BYTES);
            in.transferTo(OutputStream.nullOutputStream());
            return data;
        } catch (IOException e) {
            return new byte[0];
        }
    }

    private static void write(Process p, byte[] config) {
        try (OutputStream stdin = p.getOutputStream()) {
            stdin.write(config);
        } catch (IOException closedEarly) {
            // the delegate exited or closed its stdin: its exit code and stdout say what happened
        }
    }

    /** An I/O failure on a delegate's pipe, carried out of the reader thread with its cause. */
    private static final class DelegateIo extends RuntimeException {
        DelegateIo(IOException cause) {
            super(cause);
        }
    }

    /** The config as the delegate must see it: the same network config, in the same version. */
    private static Map<String, Object> stdinConfig(NetConf conf) {
        return conf.raw();
    }

    private CniException delegateError(String command, String stdout, int exit) {
        try {
            Map<String, Object> error = Json.parseObject(stdout.getBytes(StandardCharsets.UTF_8));
            int code = Json.optInt(error, type, "code", ErrorCode.INTERNAL.code());
            ErrorCode mapped = ErrorCode.INTERNAL;
            for (ErrorCode c : ErrorCode.values()) {
                if (c.code() == code) {
                    mapped = c;
                }
            }
            return new CniException(mapped, "IPAM plugin " + type + " " + command + ": "
                    + Json.optString(error, type, "msg", ""), Json.optString(error, type, "details", ""));
        } catch (CniException notJson) {
            return new CniException(ErrorCode.INTERNAL, "IPAM plugin " + type + " " + command + " exited " + exit,
                    Names.cut(stdout), notJson);
        }
    }

    private Path find(CniRequest request) throws CniException {
        for (String dir : request.path()) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, type);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new CniException(ErrorCode.INVALID_CONFIG, "IPAM plugin " + type + " not found in CNI_PATH "
                + request.path());
    }
}
