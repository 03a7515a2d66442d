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

    /** The name that is taken (for a veth, the host end's or the peer's, whichever the kernel refused). */
    public String name() {
        return name;
    }
}
