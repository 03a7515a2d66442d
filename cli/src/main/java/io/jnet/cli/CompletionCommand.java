package io.jnet.cli;

import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code jnet completion}: the shell completion script, generated from the command model. */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {"Print a completion script: source <(jnet completion) in bash; in zsh, after "
                + "autoload -U +X bashcompinit && bashcompinit."})
final class CompletionCommand implements Callable<Integer> {

    enum Shell { bash, zsh }

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "SHELL", defaultValue = "bash",
            description = "bash or zsh (default: ${DEFAULT-VALUE}).")
    Shell shell;

    @Override
    public Integer call() {
        // one script serves both: picocli's bash script runs in zsh through bashcompinit
        System.out.print(AutoComplete.bash("jnet", spec.root().commandLine()));
        return 0;
    }
}
