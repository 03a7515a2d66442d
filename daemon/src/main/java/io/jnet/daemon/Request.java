package io.jnet.daemon;

import java.util.Map;

/** What a connection asked for, decoded from its one frame. */
sealed interface Request {

    /** A CNI call: the plugin type, the caller's {@code CNI_*} and {@code JNET_*} environment and its stdin. */
    record Call(String type, Map<String, String> env, byte[] stdin) implements Request {
    }

    /** {@code jnet daemon status}. */
    record Status() implements Request {
    }

    /** A caller that speaks another protocol version: it is told to run the call itself. */
    record OtherVersion(int version) implements Request {
    }
}
