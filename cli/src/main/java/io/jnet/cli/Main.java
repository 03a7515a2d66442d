package io.jnet.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code jnet}: the command-line tool a person uses. The CNI plugins never load it (see {@link Cni}). */
@Command(name = "jnet", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Docker-style container networking: CNI plugins and manual setup.",
        subcommands = {DemoCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
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
