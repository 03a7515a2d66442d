package io.jnet.cli;

import io.jnet.kernel.netns.NetNs;
import io.jnet.kernel.sys.Errno;
import io.jnet.kernel.sys.ErrnoException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code jnet exec NAME [--] CMD...}: runs a command in a container's network namespace. No process is started:
 * this thread (picocli runs commands on the thread that called it, the JVM's main thread) enters the namespace and
 * execs the command in place of the JVM, so the command inherits the namespace, the terminal, the environment and
 * the exit status goes straight to the caller. Everything after NAME is the command.
 */
@Command(name = "exec", mixinStandardHelpOptions = true,
        description = {"Run a command in a container's network namespace (it replaces jnet; its exit status is "
                + "jnet's: 126 when it cannot run, 127 when it is not found)."})
final class ExecCommand implements Callable<Integer> {

    static final int EXIT_CANNOT_RUN = 126;
    static final int EXIT_NOT_FOUND = 127;

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "Container name or id.")
    String name;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "CMD", description = "The command and its arguments.")
    List<String> command;

    @Override
    public Integer call() throws CliException {
        List<String> argv = new ArrayList<>(command);
        if (!argv.isEmpty() && argv.get(0).equals("--")) {
            argv.remove(0);
        }
        if (argv.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "no command to run after " + name);
        }
        ContainerRecord record = main.containers(System.err).get(name);
        if (!NetNs.isNamespace(Path.of(record.netns()))) {
            throw new CliException("container " + record.name() + " has no network namespace (" + record.netns()
                    + " is gone); jnet gc removes it");
        }
        NetNs netns;
        try {
            netns = NetNs.open(record.netns());
        } catch (ErrnoException e) {
            throw new CliException("enter the namespace of container " + record.name() + ": " + e.getMessage(), e);
        }
        System.out.flush();
        System.err.flush();
        try (netns) {
            netns.exec(argv);
        } catch (ErrnoException e) {
            System.err.println("jnet exec: " + e.getMessage());
            return e.errno() == Errno.ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN;
        }
        throw new IllegalStateException("exec returned without an error");
    }
}
