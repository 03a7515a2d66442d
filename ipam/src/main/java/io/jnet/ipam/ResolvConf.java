package io.jnet.ipam;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads a resolv.conf as host-local does: nameserver, domain, search and options lines; others are ignored. */
final class ResolvConf {

    private ResolvConf() {
    }

    static DnsSettings read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("cannot read " + file + ": no such file", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return parse(lines);
    }

    static DnsSettings parse(List<String> lines) {
        List<String> nameservers = new ArrayList<>();
        List<String> search = new ArrayList<>();
        List<String> options = new ArrayList<>();
        String domain = "";
        for (String raw : lines) {
            String line = raw.strip();
            if (line.isEmpty() || line.charAt(0) == '#' || line.charAt(0) == ';') {
                continue;
            }
            List<String> fields = fields(line);
            if (fields.size() < 2) {
                continue;
            }
            switch (fields.get(0)) {
                case "nameserver" -> nameservers.add(fields.get(1));
                case "domain" -> domain = fields.get(1);
                case "search" -> search.addAll(fields.subList(1, fields.size()));
                case "options" -> options.addAll(fields.subList(1, fields.size()));
                default -> {
                    // sortlist and anything else: not part of a CNI result
                }
            }
        }
        return new DnsSettings(nameservers, domain, search, options);
    }

    /** Go's strings.Fields without a regex. */
    private static List<String> fields(String line) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < line.length()) {
            while (i < line.length() && Character.isWhitespace(line.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < line.length() && !Character.isWhitespace(line.charAt(i))) {
                i++;
            }
            if (i > start) {
                out.add(line.substring(start, i));
            }
        }
        return out;
    }
}
