package io.jnet.container;

import java.io.IOException;
import java.util.List;

/** An id prefix that more than one container's id starts with. */
public final class AmbiguousIdException extends IOException {

    private final List<String> names;

    public AmbiguousIdException(String prefix, List<String> names) {
        super("id prefix " + prefix + " is ambiguous: it matches containers " + String.join(", ", names));
        this.names = List.copyOf(names);
    }

    /** The containers whose ids start with the prefix. */
    public List<String> names() {
        return names;
    }
}
