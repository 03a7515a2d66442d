package io.jnet.cni;

import java.util.Set;

/**
 * A CNI plugin: what {@link PluginMain} dispatches to once the environment, the config and the version have
 * been validated. Implementations never touch stdin, stdout, the environment or {@code System.exit}.
 */
public interface CniPlugin {

    /** ADD: creates the attachment and returns its result (in the internal 1.1 model; PluginMain converts). */
    Result add(CniRequest request) throws CniException;

    /** DEL: best effort and idempotent; a missing netns, prevResult or resource is success. */
    void del(CniRequest request) throws CniException;

    /** CHECK (config version 0.4.0 and later): throws when anything that ADD made has drifted. */
    void check(CniRequest request) throws CniException;

    /** GC (1.1.0): releases what belongs to attachments not in {@link NetConf#validAttachments()}. */
    default void gc(CniRequest request) throws CniException {
    }

    /** STATUS (1.1.0): returns when an ADD could succeed; throws code 50 or 51 otherwise. */
    default void status(CniRequest request) throws CniException {
    }

    /**
     * The CNI_ARGS keys this plugin understands (e.g. {@code IP}, {@code MAC}); {@link CniArgs#ALWAYS_KNOWN} are
     * accepted anyway. ADD and CHECK fail on any other key unless {@code IgnoreUnknown} is set.
     */
    default Set<String> knownArgs() {
        return Set.of();
    }

    /** Whether CNI_NETNS may be the plugin's own network namespace (only the host-mode plugin says yes). */
    default boolean acceptsOwnNetns() {
        return false;
    }
}
