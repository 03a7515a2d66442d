package io.jnet.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code jnet check}: every container against the kernel, through its plugin's CHECK. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Verify every container against the kernel with its plugin's CHECK and name what drifted. "
                + "Exits 0 when everything is as created (or was repaired), 1 otherwise."})
final class CheckCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Option(names = "--repair", description = "Re-run ADD for what drifted (re-creating a namespace that is gone).")
    boolean repair;

    @Override
    public Integer call() throws CliException {
        List<Maintenance.CheckOutcome> outcomes = main.containers(System.err).check(repair);
        boolean bad = false;
        for (Maintenance.CheckOutcome o : outcomes) {
            bad |= o.status().isBad();
            System.out.println(o.name() + ": " + o.status().word + (o.detail().isEmpty() ? "" : ": " + o.detail()));
        }
        if (outcomes.isEmpty()) {
            System.out.println("no containers");
        }
        return bad ? Main.EXIT_FAILURE : 0;
    }
}
