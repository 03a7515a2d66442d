package io.jnet.bridge;

import io.jnet.cni.CniException;
import io.jnet.cni.CniPlugin;
import io.jnet.cni.CniRequest;
import io.jnet.cni.ErrorCode;
import io.jnet.cni.Json;
import io.jnet.cni.NetConf;
import io.jnet.cni.Result;
import io.jnet.cni.ResultCodec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A delegated IPAM plugin ({@code ipam.type} other than jnet-ipam), run as the spec requires: found in CNI_PATH,
 * exec'd with the same CNI_* variables and the network config on stdin. This is the one place where production code
 * starts a process, and it only ever starts the CNI plugin that the config names.
 */
final class ExecPlugin implements CniPlugin {

    private final String type;

    ExecPlugin(String type) {
        this.type = type;
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

    private Map<String, Object> exec(CniRequest request, String command) throws CniException {
        Path binary = find(request);
        ProcessBuilder pb = new ProcessBuilder(binary.toString());
        Map<String, String> env = pb.environment();
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", request.containerId());
        env.put("CNI_NETNS", request.netns());
        env.put("CNI_IFNAME", request.ifName());
        env.put("CNI_ARGS", request.args().raw());
        env.put("CNI_PATH", String.join(":", request.path()));
        pb.redirectError(ProcessBuilder.Redirect.INHERIT); // a delegate's logs are ours
        try {
            Process p = pb.start();
            try (OutputStream stdin = p.getOutputStream()) {
                stdin.write(Json.writeBytes(stdinConfig(request.config())));
            }
            byte[] stdout;
            try (InputStream in = p.getInputStream()) {
                stdout = in.readAllBytes();
            }
            int exit = p.waitFor();
            String text = new String(stdout, StandardCharsets.UTF_8).strip();
            if (exit != 0) {
                throw delegateError(command, text, exit);
            }
            return text.isEmpty() ? Map.of() : Json.parseObject(stdout);
        } catch (IOException e) {
            throw new CniException(ErrorCode.IO_FAILURE, "run IPAM plugin " + binary + " " + command + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CniException(ErrorCode.TRY_AGAIN_LATER, "interrupted while running IPAM plugin " + type);
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
                    stdout);
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
