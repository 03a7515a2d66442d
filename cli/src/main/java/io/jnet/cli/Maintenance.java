package io.jnet.cli;

import io.jnet.kernel.netns.NetNs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code jnet check [--repair]} and {@code jnet gc}: every container against the kernel, re-attaching what drifted,
 * and collecting what lost its namespace behind jnet's back, all under the container store's lock.
 */
final class Maintenance {

    private final Containers containers;
    private final ContainerStore store;
    private final ModeWiring wiring;

    Maintenance(Containers containers, ContainerStore store, ModeWiring wiring) {
        this.containers = containers;
        this.store = store;
        this.wiring = wiring;
    }

    /** What {@code jnet check} says of a container, in the words it prints. */
    enum Status {
        OK("ok"), DRIFTED("drifted"), REPAIRED("repaired"), FAILED("FAILED");

        final String word;

        Status(String word) {
            this.word = word;
        }

        /** Whether the container is not as its ADD left it (check exits 1). */
        boolean isBad() {
            return this == DRIFTED || this == FAILED;
        }
    }

    /** What {@code jnet check} found for one container; {@code detail} names the drift, "" when OK. */
    record CheckOutcome(String name, Status status, String detail) {
    }

    /**
     * Checks every container against the kernel with its plugin's CHECK (owners before members, so a repaired
     * namespace is there when its members are checked). With {@code repair}, a container that drifted gets its ADD
     * again (its namespace first, when that is gone), and is checked once more.
     */
    List<CheckOutcome> check(boolean repair) throws CliException {
        return containers.locked("check containers", () -> {
            List<ContainerRecord> ordered = new ArrayList<>();
            for (ContainerRecord r : store.list()) {
                if (r.mode() != NetworkMode.CONTAINER) {
                    ordered.add(r);
                }
            }
            for (ContainerRecord r : store.list()) {
                if (r.mode() == NetworkMode.CONTAINER) {
                    ordered.add(r);
                }
            }
            List<CheckOutcome> outcomes = new ArrayList<>();
            for (ContainerRecord record : ordered) {
                String drift = drift(record);
                if (drift == null) {
                    outcomes.add(new CheckOutcome(record.name(), Status.OK, ""));
                } else if (!repair) {
                    outcomes.add(new CheckOutcome(record.name(), Status.DRIFTED, drift));
                } else {
                    outcomes.add(repair(record, drift));
                }
            }
            outcomes.addAll(wiring.checkHandedOver(repair));
            return outcomes;
        });
    }

    /** What has drifted, or null when the container is as its ADD left it. */
    private String drift(ContainerRecord record) throws CliException {
        if (!NetNs.isNamespace(Path.of(record.netns()))) {
            return "network namespace " + record.netns() + " is gone";
        }
        if (record.result().isEmpty()) {
            return "no ADD result was recorded (jnet create was interrupted)";
        }
        if (record.mode() == NetworkMode.CONTAINER && containers.named(record.leader()).isEmpty()) {
            return "the container it joined, " + record.leader() + ", is gone";
        }
        try {
            wiring.check(record);
            return null;
        } catch (CliException e) {
            return e.getMessage();
        }
    }

    private CheckOutcome repair(ContainerRecord record, String drift) throws IOException {
        try {
            Map<String, Object> result = wiring.reattach(record);
            ContainerRecord repaired = record.withResult(result);
            store.put(repaired);
            String still = drift(repaired);
            return still == null ? new CheckOutcome(record.name(), Status.REPAIRED, drift)
                    : new CheckOutcome(record.name(), Status.FAILED, drift + "; after repair: " + still);
        } catch (CliException e) {
            return new CheckOutcome(record.name(), Status.FAILED, drift + "; repair failed: " + e.getMessage());
        }
    }

    /** What {@code jnet gc} did: one line per container removed, and the failures. */
    record GcReport(List<String> removed, List<String> failures) {
    }

    /**
     * Removes the containers whose network namespace was deleted behind jnet's back (their plugin's DEL runs with
     * no netns, which releases what the host side still holds), the members of such a namespace, members whose
     * leader is gone, and temporary files a killed writer left in the store.
     */
    GcReport gc() throws CliException {
        return containers.locked("collect containers", () -> {
            List<String> removed = new ArrayList<>();
            List<String> failures = new ArrayList<>();
            Set<String> gone = new LinkedHashSet<>();
            for (ContainerRecord r : store.list()) {
                if (r.mode() != NetworkMode.CONTAINER && !NetNs.isNamespace(Path.of(r.netns()))) {
                    gone.add(r.name());
                    try {
                        containers.removeOne(r, false);
                        removed.add(r.name() + ": its network namespace " + r.netns() + " is gone");
                    } catch (CliException e) {
                        failures.add(r.name() + ": " + e.getMessage());
                    }
                }
            }
            for (ContainerRecord r : store.list()) {
                if (r.mode() != NetworkMode.CONTAINER) {
                    continue;
                }
                boolean leaderGone = gone.contains(r.leader()) || containers.named(r.leader()).isEmpty();
                if (leaderGone || !NetNs.isNamespace(Path.of(r.netns()))) {
                    try {
                        containers.removeOne(r, false);
                        removed.add(r.name() + ": the namespace of " + r.leader() + " that it joined is gone");
                    } catch (CliException e) {
                        failures.add(r.name() + ": " + e.getMessage());
                    }
                }
            }
            wiring.collectAttachments(removed, failures);
            for (Path leftover : store.removeLeftovers()) {
                removed.add("temporary file " + leftover);
            }
            return new GcReport(removed, failures);
        });
    }
}
