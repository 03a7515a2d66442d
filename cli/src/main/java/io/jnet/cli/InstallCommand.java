package io.jnet.cli;

import io.jnet.cni.Json;
import io.jnet.kernel.fs.DurableFiles;
import io.jnet.kernel.sys.ErrnoException;
import io.jnet.kernel.sys.Sys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code jnet install}: copies this distribution to a home directory and its plugin launchers into a CNI bin
 * directory, where they run the home's jars and runtime; then it becomes {@code bin/jnet-train} of the new home
 * (exec, no child process), which records the class-data archive for the new paths.
 */
@Command(name = "install", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Install the distribution in --home, the plugin launchers (jnet-bridge, jnet-ipam, jnet-none, "
                + "...) in --cni-bin-dir and the default network's conflist (" + InstallCommand.CONFLIST + ", "
                + "network bridge with the state directory --root) in --cni-conf-dir, then record the class-data "
                + "archive (bin/jnet-train). An earlier installation in --home is replaced."})
final class InstallCommand implements Callable<Integer> {

    /** The line of each launcher that finds the distribution; see assemble.sh. */
    static final String HOME_MARKER = "# jnet-home";

    /** The default network's conflist; runtimes take the first file by name as their default network. */
    static final String CONFLIST = "10-jnet-bridge.conflist";

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = "--cni-bin-dir", paramLabel = "DIR", defaultValue = "/opt/cni/bin",
            description = "Where runtimes look for CNI plugins (default: ${DEFAULT-VALUE}).")
    Path binDir;

    @Option(names = "--cni-conf-dir", paramLabel = "DIR", defaultValue = "/etc/cni/net.d",
            description = "Where runtimes look for network configs; the default network's conflist goes there "
                    + "(default: ${DEFAULT-VALUE}).")
    Path confDir;

    @Option(names = "--home", paramLabel = "DIR", defaultValue = "/opt/jnet",
            description = "Where the distribution goes: bin, lib, runtime, native, cache (default: ${DEFAULT-VALUE}).")
    Path home;

    @Option(names = "--systemd-dir", paramLabel = "DIR", defaultValue = "/etc/systemd/system",
            description = "Where the units jnet.socket and jnet.service of the daemon go (default: ${DEFAULT-VALUE}).")
    Path systemdDir;

    @Override
    public Integer call() throws CliException {
        Path source = distribution();
        Path target = home.toAbsolutePath().normalize();
        if (target.toString().contains("'")) {
            throw new ParameterException(spec.commandLine(), "--home must not contain a single quote: " + target);
        }
        try {
            if (Files.exists(target) && Files.isSameFile(source, target)) {
                throw new CliException("the distribution is already at " + target);
            }
            installHome(source, target);
            List<Path> plugins = installPlugins(target, binDir.toAbsolutePath().normalize());
            System.out.println("installed " + target);
            for (Path p : plugins) {
                System.out.println("installed " + p);
            }
            System.out.println("installed " + writeConflist(confDir.toAbsolutePath().normalize()));
            for (Path unit : SystemdUnits.write(systemdDir.toAbsolutePath().normalize(), target)) {
                System.out.println("installed " + unit);
            }
        } catch (IOException e) {
            throw new CliException("install to " + target + ": " + e.getMessage(), e);
        }
        System.out.println("recording the class-data archive: " + target.resolve("bin/jnet-train"));
        System.out.flush();
        try {
            Sys.execvp(List.of(target.resolve("bin/jnet-train").toString()));
        } catch (ErrnoException e) {
            throw new CliException("run " + target.resolve("bin/jnet-train") + ": " + e.getMessage(), e);
        }
        return 0;
    }

    /**
     * The conflist of the default network {@code bridge} (made now if it does not exist), with this state root as
     * its dataDir, written crash-safely and readable by everyone, as runtimes expect of their config directory.
     */
    private Path writeConflist(Path dir) throws IOException, CliException {
        Networks networks = main.containers(System.err).networks();
        Map<String, Object> conflist = networks.conflist(networks.ensure(Networks.DEFAULT));
        Files.createDirectories(dir);
        Path target = dir.resolve(CONFLIST);
        DurableFiles.write(target, (Json.writePretty(conflist) + "\n").getBytes(StandardCharsets.UTF_8),
                PosixFilePermissions.fromString("rw-r--r--"));
        return target;
    }

    /** The distribution this jnet runs from (its launcher passes it as {@code jnet.home}). */
    private static Path distribution() throws CliException {
        String home = System.getProperty("jnet.home");
        if (home == null) {
            throw new CliException("jnet install runs from a distribution's bin/jnet (jnet.home is not set)");
        }
        Path dist = Path.of(home).toAbsolutePath().normalize();
        for (String part : new String[] {"bin/jnet", "bin/jnet-train", "lib", "native", "runtime/bin/java"}) {
            if (!Files.exists(dist.resolve(part))) {
                throw new CliException(dist + " is not a jnet distribution: it has no " + part);
            }
        }
        return dist;
    }

    /**
     * Copies bin, lib, native and runtime into a fresh directory beside the target, points its launchers at the
     * target, and swaps it in in one step (an earlier installation goes only once the new one is in its place).
     */
    private static void installHome(Path source, Path target) throws IOException, CliException {
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !Files.exists(target.resolve("bin/jnet-train"))) {
            throw new CliException(target + " exists and is not a jnet installation; choose another --home");
        }
        Files.createDirectories(target.getParent());
        String suffix = HexFormat.of().toHexDigits(new SecureRandom().nextInt());
        Path staging = target.resolveSibling(target.getFileName() + ".new-" + suffix);
        try {
            for (String dir : new String[] {"bin", "libexec", "lib", "native", "runtime"}) {
                if (Files.isDirectory(source.resolve(dir))) {   // libexec: the JVM launchers behind native shims
                    copyTree(source.resolve(dir), staging.resolve(dir));
                }
            }
            Files.createDirectories(staging.resolve("cache"));
            for (Path launcher : scripts(staging)) {
                Files.writeString(launcher, rehome(Files.readString(launcher), target, launcher));
            }
            // one step: a runtime that starts a plugin meanwhile finds the old installation or the new one
            DurableFiles.replaceDirectory(staging, target);
        } catch (IOException | CliException | RuntimeException e) {
            deleteTree(staging);
            throw e;
        }
        deleteTree(staging);    // now the earlier installation, if there was one
    }

    /** The launchers {@code jnet-<type>} of the home, copied into the CNI bin directory (temp file, rename). */
    private static List<Path> installPlugins(Path home, Path binDir) throws IOException {
        Files.createDirectories(binDir);
        List<Path> installed = new ArrayList<>();
        try (Stream<Path> files = Files.list(home.resolve("bin"))) {
            for (Path launcher : files.sorted().toList()) {
                String name = launcher.getFileName().toString();
                if (!name.startsWith("jnet-") || name.equals("jnet-train")) {
                    continue;
                }
                Path target = binDir.resolve(name);
                if (isScript(launcher)) {
                    DurableFiles.write(target, Files.readAllBytes(launcher), PosixFilePermissions.fromString("rwxr-xr-x"));
                } else {    // a native shim finds the home through /proc/self/exe, so it is linked, not copied
                    Path tmp = binDir.resolve("." + name + ".tmp-" + ProcessHandle.current().pid());
                    Files.deleteIfExists(tmp);
                    Files.createSymbolicLink(tmp, launcher);
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    DurableFiles.syncDirectory(binDir);
                }
                installed.add(target);
            }
        }
        return installed;
    }

    /** The shell launchers of a distribution (bin and libexec), which find their home on a marked line. */
    private static List<Path> scripts(Path home) throws IOException {
        List<Path> scripts = new ArrayList<>();
        for (String dir : new String[] {"bin", "libexec"}) {
            if (Files.isDirectory(home.resolve(dir))) {
                try (Stream<Path> files = Files.list(home.resolve(dir))) {
                    for (Path f : files.sorted().toList()) {
                        if (isScript(f)) {
                            scripts.add(f);
                        }
                    }
                }
            }
        }
        return scripts;
    }

    private static boolean isScript(Path file) throws IOException {
        try (java.io.InputStream in = Files.newInputStream(file)) {
            return in.read() == '#' && in.read() == '!';
        }
    }

    /** The launcher with its home line replaced by the absolute home; exactly one such line must be there. */
    static String rehome(String launcher, Path home, Path file) throws CliException {
        String[] lines = launcher.split("\n", -1);
        int found = 0;
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].endsWith(HOME_MARKER)) {
                lines[i] = "H='" + home + "' " + HOME_MARKER;
                found++;
            }
        }
        if (found != 1) {
            throw new CliException("launcher " + file + " has " + found + " lines marked \"" + HOME_MARKER
                    + "\", expected one");
        }
        return String.join("\n", lines);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> tree = Files.walk(from)) {
            for (Path p : tree.toList()) {
                Path dest = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(dest);
                    Files.setPosixFilePermissions(dest, Files.getPosixFilePermissions(p));
                } else {
                    Files.copy(p, dest, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                }
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> tree = Files.walk(root)) {
            for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
