package io.jnet.kernel.sysctl;

import io.jnet.kernel.netns.NetNs;
import io.jnet.kernel.sys.ErrnoException;
import io.jnet.kernel.sys.Fd;
import io.jnet.kernel.sys.Sys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Network sysctls of one namespace, read and written through {@code /proc/sys/net}. Which namespace such a file
 * shows is fixed when it is opened, by the opening thread's namespace, so every file is opened inside the namespace
 * (on {@link NetNs#call}'s dedicated thread). Only {@code net.*} keys are accepted: other sysctls are global, and
 * writing one "in" a namespace would change the whole machine.
 *
 * <p>A key is dotted ({@code net.ipv4.ip_forward}) or, when a component contains a dot (an interface such as
 * {@code eth0.100}), slash-separated ({@code net/ipv4/conf/eth0.100/forwarding}); {@link #key} builds the latter.
 */
public final class Sysctl {

    private static final Pattern COMPONENT = Pattern.compile("[A-Za-z0-9_@+\\-.]+");
    private static final int MAX_VALUE = 4096;

    private Sysctl() {
    }

    /** A slash-separated key from components, e.g. {@code key("net", "ipv4", "conf", ifname, "route_localnet")}. */
    public static String key(String... components) {
        String key = String.join("/", components);
        for (String c : components) {
            checkComponent(key, c);
        }
        path(key);
        return key;
    }

    /** The value of a key in a namespace, without the trailing newline. */
    public static String read(NetNs netns, String key) throws IOException {
        String path = path(key);
        String what = "read sysctl " + key + " in netns " + netns.path();
        byte[] value = netns.call(() -> {
            try (Fd fd = open(path, Sys.O_RDONLY, what)) {
                return Sys.read(fd, MAX_VALUE, what);
            }
        });
        String text = new String(value, StandardCharsets.UTF_8);
        return text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    }

    /** Writes a value (e.g. "1") to a key in a namespace; the kernel's refusal (EINVAL, ENOENT...) is thrown. */
    public static void write(NetNs netns, String key, String value) throws IOException {
        if (value.indexOf('\n') >= 0 || value.indexOf(0) >= 0) {
            throw new IllegalArgumentException("sysctl value for " + key + " must be one line: \"" + value + "\"");
        }
        String path = path(key);
        String what = "write sysctl " + key + "=" + value + " in netns " + netns.path();
        netns.run(() -> {
            try (Fd fd = open(path, Sys.O_WRONLY, what)) {
                Sys.write(fd, (value + "\n").getBytes(StandardCharsets.UTF_8), what);
            }
        });
    }

    private static Fd open(String path, int flags, String what) throws ErrnoException {
        try {
            return Sys.open(path, flags);
        } catch (ErrnoException e) {
            throw new ErrnoException(what + ": open " + path, e.errno());
        }
    }

    /** One path component: no separator, not "." or "..", only the characters interface names use. */
    private static void checkComponent(String key, String c) {
        if (c == null || c.isEmpty() || c.equals(".") || c.equals("..") || !COMPONENT.matcher(c).matches()) {
            throw new IllegalArgumentException("invalid sysctl key \"" + key + "\": bad component \"" + c + "\"");
        }
    }

    /** The /proc/sys path of a validated key. */
    static String path(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("empty sysctl key");
        }
        boolean slashed = key.indexOf('/') >= 0;
        List<String> components = new ArrayList<>(List.of(key.split(slashed ? "/" : "\\.", -1)));
        for (String c : components) {
            checkComponent(key, c);
        }
        if (components.size() < 2 || !components.get(0).equals("net")) {
            throw new IllegalArgumentException("sysctl key \"" + key
                    + "\" is not a per-namespace net.* key; other sysctls are global to the machine");
        }
        return "/proc/sys/" + String.join("/", components);
    }
}
