package io.jnet.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code jnet rm}: removes containers, printing each name removed. */
@Command(name = "rm", mixinStandardHelpOptions = true,
        description = {"Remove containers: runs their plugin's DEL, deletes their network namespace and their record.",
                "A namespace that other containers joined (--network container:NAME) stays until the last of them "
                        + "is removed: removing its owner first is refused unless --depend removes them too."})
final class RmCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Option(names = {"-f", "--force"}, description = "Remove the container even when its plugin's DEL fails.")
    boolean force;

    @Option(names = "--depend", description = "Also remove the containers that joined its network namespace.")
    boolean depend;

    @Parameters(arity = "1..*", paramLabel = "NAME", description = "Container names or ids.")
    List<String> names;

    @Override
    public Integer call() throws CliException {
        Containers containers = main.containers(System.err);
        boolean failed = false;
        for (String name : names) {
            try {
                for (String removed : containers.remove(name, force, depend)) {
                    System.out.println(removed);
                }
            } catch (CliException e) {
                System.err.println("jnet rm: " + e.getMessage());
                failed = true;
            }
        }
        return failed ? Main.EXIT_FAILURE : 0;
    }
}
