package io.jnet.kernel.rtnl;

import io.jnet.kernel.netlink.NetlinkException;
import io.jnet.kernel.sys.Errno;
import io.jnet.kernel.sys.ErrnoException;

/** Creating a link failed because a link of that name already exists (EEXIST). */
public final class LinkExistsException extends ErrnoException {

    private final String name;

    LinkExistsException(String what, String name, NetlinkException cause) {
        super(what, Errno.EEXIST, cause.extack().isEmpty() ? "a link named " + name + " already exists" : cause.extack());
        this.name = name;
        initCause(cause);
    }

    /**
     * The name of the link being created or renamed. For a veth the kernel does not say which end's name was taken
     * (the peer's, in its own namespace, can be); the message names both ends.
     */
    public String name() {
        return name;
    }
}
