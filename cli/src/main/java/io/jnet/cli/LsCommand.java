package io.jnet.cli;

import io.jnet.cni.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code jnet ls}: the containers, as a table ({@code docker ps}) or as JSON. */
@Command(name = "ls", aliases = "ps", mixinStandardHelpOptions = true,
        description = "List containers: a table, or their records as a JSON array with --format json.")
final class LsCommand implements Callable<Integer> {

    enum Format { table, json }

    @ParentCommand
    Main main;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
            description = "table or json (default: ${DEFAULT-VALUE}).")
    Format format;

    @Option(names = {"-q", "--quiet"}, description = "Only the names.")
    boolean quiet;

    @Override
    public Integer call() throws CliException {
        List<ContainerRecord> records = main.containers(System.err).list();
        if (quiet) {
            records.forEach(r -> System.out.println(r.name()));
        } else if (format == Format.json) {
            List<Object> out = new ArrayList<>();
            records.forEach(r -> out.add(r.toJson()));
            System.out.println(Json.writePretty(out));
        } else {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"CONTAINER ID", "NAME", "NETWORK", "NETNS", "ADDRESSES", "PORTS", "CREATED"});
            Instant now = Instant.now();
            for (ContainerRecord r : records) {
                List<String> addresses = Addresses.reachable(r.result());
                rows.add(new String[] {r.shortId(), r.name(), r.network(), r.netns(),
                        addresses.isEmpty() ? "-" : String.join(",", addresses), ports(r),
                        ago(Duration.between(r.created(), now))});
            }
            System.out.print(table(rows));
        }
        return 0;
    }

    /** Published ports as docker ps shows them; only a bridge network publishes. */
    static String ports(ContainerRecord r) {
        if (r.mode() != NetworkMode.BRIDGE || r.ports().isEmpty()) {
            return "-";
        }
        List<String> out = new ArrayList<>();
        for (PublishSpec p : r.ports()) {
            out.add(p.hostSide() + "->" + p.containerSide());
        }
        return String.join(",", out);
    }

    /** Columns padded to their widest cell, three spaces apart, as docker ps prints them. */
    static String table(List<String[]> rows) {
        int[] width = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(row[i]);
                if (i < row.length - 1) {
                    line.append(" ".repeat(width[i] - row[i].length() + 3));
                }
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    /** "5 seconds ago", as Docker's HumanDuration words an age. */
    static String ago(Duration d) {
        long s = Math.max(0, d.getSeconds());
        String text;
        if (s < 1) {
            text = "Less than a second";
        } else if (s < 60) {
            text = s + (s == 1 ? " second" : " seconds");
        } else if (s < 120) {
            text = "About a minute";
        } else if (s < 3600) {
            text = s / 60 + " minutes";
        } else if (s < 7200) {
            text = "About an hour";
        } else if (s < 48 * 3600) {
            text = s / 3600 + " hours";
        } else if (s < 14 * 86400) {
            text = s / 86400 + " days";
        } else if (s < 90 * 86400) {
            text = s / (7 * 86400) + " weeks";
        } else if (s < 730 * 86400) {
            text = s / (30 * 86400) + " months";
        } else {
            text = s / (365 * 86400) + " years";
        }
        return text + " ago";
    }
}
