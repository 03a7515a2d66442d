package io.jnet.cni;

import java.util.List;
import java.util.Optional;

/**
 * The values of {@code CNI_COMMAND}, each with the environment variables it requires besides CNI_COMMAND itself.
 * CNI_PATH is required by no command: runtimes may omit it and only delegation needs it.
 */
public enum CniCommand {
    ADD(List.of("CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME")),
    DEL(List.of("CNI_CONTAINERID", "CNI_IFNAME")),
    CHECK(List.of("CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME")),
    GC(List.of()),
    STATUS(List.of()),
    VERSION(List.of());

    private final List<String> requiredEnv;

    CniCommand(List<String> requiredEnv) {
        this.requiredEnv = requiredEnv;
    }

    /** The variables that must be present and non-empty, in the order they are reported when missing. */
    public List<String> requiredEnv() {
        return requiredEnv;
    }

    /** ADD, DEL and CHECK act on one attachment (container id, ifname) and read CNI_ARGS; the others do not. */
    public boolean isAttachmentCommand() {
        return this == ADD || this == DEL || this == CHECK;
    }

    /** Case-sensitive, as the spec and libcni spell the commands. */
    public static Optional<CniCommand> parse(String text) {
        for (CniCommand c : values()) {
            if (c.name().equals(text)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}
