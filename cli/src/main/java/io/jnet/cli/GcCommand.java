package io.jnet.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/** {@code jnet gc}: cleans up after containers whose namespace was deleted behind jnet's back. */
@Command(name = "gc", mixinStandardHelpOptions = true,
        description = {"Remove the records and what the host still holds of containers whose network namespace is "
                + "gone (deleted behind jnet's back), and the members of such namespaces."})
final class GcCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Override
    public Integer call() throws CliException {
        Maintenance.GcReport report = main.containers(System.err).gc();
        report.removed().forEach(line -> System.out.println("removed " + line));
        report.failures().forEach(line -> System.err.println("jnet gc: " + line));
        if (report.removed().isEmpty() && report.failures().isEmpty()) {
            System.out.println("nothing to collect");
        }
        return report.failures().isEmpty() ? 0 : Main.EXIT_FAILURE;
    }
}
