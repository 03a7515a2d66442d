package io.jnet.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code jnet port}: the published ports of a container, as {@code docker port} prints them. */
@Command(name = "port", mixinStandardHelpOptions = true,
        description = {"List a container's published ports (\"80/tcp -> 0.0.0.0:8080\"), or the host side of one.",
                "Only bridge networks publish ports: host and none mode discard them, as Docker does."})
final class PortCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Parameters(index = "0", paramLabel = "NAME", description = "Container name or id.")
    String name;

    @Parameters(index = "1", arity = "0..1", paramLabel = "PRIVATE_PORT[/PROTO]",
            description = "Only this container port (tcp unless given).")
    String privatePort;

    @Override
    public Integer call() throws CliException {
        ContainerRecord record = main.containers(System.err).get(name);
        List<String> lines = lines(record, privatePort);
        if (privatePort != null && lines.isEmpty()) {
            throw new CliException("no public port '" + normalise(privatePort) + "' published for " + record.name());
        }
        lines.forEach(System.out::println);
        return 0;
    }

    /** One line per published port; with a filter, only the host sides of that container port. */
    static List<String> lines(ContainerRecord record, String filter) {
        List<String> out = new ArrayList<>();
        if (record.mode() != NetworkMode.BRIDGE) {
            return out;
        }
        for (PublishSpec p : record.ports()) {
            if (filter == null) {
                out.add(p.containerSide() + " -> " + p.hostSide());
            } else if (p.containerSide().equals(normalise(filter))) {
                out.add(p.hostSide());
            }
        }
        return out;
    }

    private static String normalise(String port) {
        return port.contains("/") ? port : port + "/tcp";
    }
}
