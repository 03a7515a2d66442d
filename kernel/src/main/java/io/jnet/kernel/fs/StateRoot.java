package io.jnet.kernel.fs;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where jnet keeps its state: {@code /var/lib/jnet}, unless the environment's {@code JNET_ROOT} says otherwise (a
 * config's {@code dataDir} overrides both, per network). The one home of that default for every entry point.
 */
public final class StateRoot {

    /** The default state root. */
    public static final String DEFAULT = "/var/lib/jnet";
    /** The environment variable that overrides {@link #DEFAULT}. */
    public static final String ENV = "JNET_ROOT";

    private StateRoot() {
    }

    /** {@code JNET_ROOT} from {@code env} when set and not empty, else {@link #DEFAULT}. */
    public static Path of(Map<String, String> env) {
        String root = env.get(ENV);
        return root == null || root.isEmpty() ? Path.of(DEFAULT) : Path.of(root);
    }

    /** The environment that names {@code root} as the state root, for a plugin run in-process. */
    public static Map<String, String> env(Path root) {
        return Map.of(ENV, root.toString());
    }
}
