package io.jnet.cli;

import io.jnet.kernel.fs.StateRoot;
import io.jnet.kernel.netns.NetNs;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * {@code jnet}: the command-line tool a person uses. The CNI plugins never load it (see {@link Cni}).
 *
 * <p>Exit codes: 0 success, 1 a runtime failure (unknown name, conflict, kernel or plugin error), 2 a usage error
 * (unknown flag, bad value, conflicting flags). Every error is one line on stderr; {@code JNET_DEBUG=1} adds the
 * stack trace. {@code jnet exec} exits with its command's status instead.
 */
@Command(name = "jnet", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Docker-style container networking: CNI plugins and manual setup.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:a runtime failure: an unknown name, a conflict, a kernel or plugin error",
                "2:a usage error: an unknown flag, a bad value, conflicting flags",
                "*:jnet exec: the command's own status (126: cannot run it, 127: not found)"},
        subcommands = {CreateCommand.class, NetworkCommand.class, RmCommand.class, LsCommand.class, InspectCommand.class, PortCommand.class,
                ExecCommand.class, CheckCommand.class, GcCommand.class, InstallCommand.class, DaemonCommand.class, DemoCommand.class,
                CompletionCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    static final int EXIT_FAILURE = 1;
    static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--root", scope = ScopeType.INHERIT, paramLabel = "DIR",
            defaultValue = "${env:" + StateRoot.ENV + ":-" + StateRoot.DEFAULT + "}",
            description = "State directory (env JNET_ROOT; default ${DEFAULT-VALUE}).")
    Path root;

    @Option(names = "--run-dir", scope = ScopeType.INHERIT, paramLabel = "DIR",
            defaultValue = "${env:JNET_RUN_DIR:-/run/jnet}",
            description = "Run directory; containers' namespaces are mounted in DIR/netns (env JNET_RUN_DIR; "
                    + "default ${DEFAULT-VALUE}).")
    Path runDir;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setParameterExceptionHandler(Main::usageError);
        cl.setExecutionExceptionHandler(Main::failure);
        // everything after the container's name is the command, options included (docker exec does the same)
        cl.getSubcommands().get("exec").setStopAtPositional(true);
        return cl;
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    ContainerStore store() {
        return ContainerStore.at(root);
    }

    Path netnsDir() {
        return runDir.toAbsolutePath().resolve("netns");
    }

    /** The container engine on this process's own namespace as the host. */
    Containers containers(PrintStream warnings) throws CliException {
        try {
            return new Containers(store(), netnsDir(), NetNs.open("/proc/self/ns/net"), warnings);
        } catch (IOException e) {
            throw new CliException("open the host's network namespace: " + e.getMessage(), e);
        }
    }

    /** A bad flag or value: one line naming the command, and where help is; exit 2. */
    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        String name = cmd.getCommandSpec().qualifiedName();
        cmd.getErr().println(name + ": " + e.getMessage() + " (see '" + name + " --help')");
        cmd.getErr().flush();
        return EXIT_USAGE;
    }

    /** A failure while running: one line (and the stack trace with JNET_DEBUG); exit 1. */
    private static int failure(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        err.println(cmd.getCommandSpec().qualifiedName() + ": " + message);
        String debug = System.getenv("JNET_DEBUG");
        if (debug != null && !debug.isEmpty()) {
            e.printStackTrace(err);
        }
        err.flush();
        return EXIT_FAILURE;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"jnet " + (v == null ? "(development build)" : v)
                    + ", CNI " + io.jnet.cni.CniVersion.supportedList()};
        }
    }
}
