package io.jnet.cli;

import io.jnet.cni.Names;

/** What {@code --network} asks for, parsed. */
sealed interface Network permits Network.None, Network.Host, Network.Joined, Network.Bridge {

    NetworkMode mode();

    /** {@code none}: its own namespace with only lo. */
    record None() implements Network {
        @Override
        public NetworkMode mode() {
            return NetworkMode.NONE;
        }
    }

    /** {@code host}: the host's namespace. */
    record Host() implements Network {
        @Override
        public NetworkMode mode() {
            return NetworkMode.HOST;
        }
    }

    /** {@code container:<ref>}: the namespace of the container {@code ref} (a name or an id prefix). */
    record Joined(String ref) implements Network {
        @Override
        public NetworkMode mode() {
            return NetworkMode.CONTAINER;
        }
    }

    /** {@code bridge} (the default network) or the name of a network made by {@code jnet network create}. */
    record Bridge(String network) implements Network {
        @Override
        public NetworkMode mode() {
            return NetworkMode.BRIDGE;
        }
    }

    String DEFAULT_BRIDGE = "bridge";

    /** Parses a {@code --network} value; IllegalArgumentException says what is wrong with it. */
    static Network parse(String text) {
        if (text.equals("none")) {
            return new None();
        }
        if (text.equals("host")) {
            return new Host();
        }
        if (text.startsWith("container:")) {
            String ref = text.substring("container:".length());
            if (ref.isEmpty()) {
                throw new IllegalArgumentException("--network container: needs a container name or id");
            }
            return new Joined(ref);
        }
        if (!Names.isValidName(text)) {
            throw new IllegalArgumentException("invalid network \"" + text
                    + "\": expected none, host, container:<name>, bridge or a network name");
        }
        return new Bridge(text);
    }
}
