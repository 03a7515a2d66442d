package io.jnet.cli;

import java.util.Locale;
import java.util.Optional;

/** Docker's four network modes; {@link #text()} is how they are written ({@code --network}, the store, JSON). */
public enum NetworkMode {
    /** Its own namespace, attached to a bridge network (the default one, {@code bridge}, or a named one). */
    BRIDGE,
    /** The host's namespace. */
    HOST,
    /** Its own namespace with only {@code lo}. */
    NONE,
    /** The namespace of another container ({@code container:<name>}). */
    CONTAINER;

    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<NetworkMode> parse(String text) {
        for (NetworkMode mode : values()) {
            if (mode.text().equals(text)) {
                return Optional.of(mode);
            }
        }
        return Optional.empty();
    }
}
