package io.jnet.bridge;

import io.jnet.kernel.nft.Nftables;
import io.jnet.kernel.rtnl.Rtnetlink;
import io.jnet.kernel.sys.ErrnoException;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How the bridge driver reaches the kernel of the host namespace. A direct call opens a socket per use and closes it:
 * its process lives for one call. The daemon keeps one nf_tables and one rtnetlink socket per thread for its whole
 * life, because closing an nf_tables socket waits for an RCU grace period whenever the namespace has objects to
 * destroy (about half of a warm ADD). The sockets belong to the namespace each thread was in when it first asked;
 * the daemon's threads never leave its own.
 *
 * <p>While a {@link FirewallHealer} listens to nf_tables events, this also remembers which networks' rules are known
 * to be in place, so that an ADD need not read them back; any removal by someone else forgets everything.
 */
public final class HostSockets implements AutoCloseable {

    private final boolean keep;
    private final ThreadLocal<Nftables> nft = new ThreadLocal<>();
    private final ThreadLocal<Rtnetlink> rtnl = new ThreadLocal<>();
    private final List<AutoCloseable> opened = new CopyOnWriteArrayList<>();
    private final Set<Integer> portIds = ConcurrentHashMap.newKeySet();
    private final Set<String> inPlace = ConcurrentHashMap.newKeySet();
    private final AtomicLong epoch = new AtomicLong();
    private volatile boolean watched;

    private HostSockets(boolean keep) {
        this.keep = keep;
    }

    /** A socket per use, closed after it: the direct path. */
    public static HostSockets perCall() {
        return new HostSockets(false);
    }

    /** Sockets kept open per thread until {@link #close}: the daemon. */
    public static HostSockets kept() {
        return new HostSockets(true);
    }

    /**
     * Sockets kept open per thread, in a namespace that no one else can reach (the daemon's warm-up, in a throwaway
     * namespace): nothing there changes but through them, so what they wrote is known to stay in place, as it is
     * while a {@link FirewallHealer} watches.
     */
    public static HostSockets keptPrivately() {
        HostSockets s = new HostSockets(true);
        s.watched = true;
        return s;
    }

    boolean keeps() {
        return keep;
    }

    /** nf_tables of the calling thread's namespace; the caller closes it only when {@link #keeps()} is false. */
    Nftables nftables() throws ErrnoException {
        if (!keep) {
            return Nftables.open();
        }
        Nftables n = nft.get();
        if (n == null) {
            n = Nftables.open();
            portIds.add(n.portId());
            opened.add(n);
            nft.set(n);
        }
        return n;
    }

    /** rtnetlink of the calling thread's namespace, to be closed after use (which keeps a kept socket open). */
    Rtnetlink rtnetlink() throws ErrnoException {
        if (!keep) {
            return Rtnetlink.open();
        }
        Rtnetlink r = rtnl.get();
        if (r == null) {
            r = Rtnetlink.open();
            opened.add(r);
            rtnl.set(r);
        }
        return r.borrowed();
    }

    /** Whether a notification's sender is one of these sockets: this process's own write. */
    public boolean isOwn(int portId) {
        return portIds.contains(portId);
    }

    void watched(boolean on) {
        watched = on;
        forget();
    }

    /** The count that {@link #forget} advances; taken before reading the ruleset back. */
    long epoch() {
        return epoch.get();
    }

    /** Whether the network's rules are known to be in place, without reading them back. */
    boolean knownInPlace(String network) {
        return watched && inPlace.contains(network);
    }

    /** The network's rules were in place (or written) after {@code since}; ignored when something was removed since. */
    void inPlace(String network, long since) {
        if (watched) {
            inPlace.add(network);
            if (epoch.get() != since) {
                inPlace.remove(network);
            }
        }
    }

    /** Someone else removed something from the firewall: nothing is known to be in place any more. */
    void forget() {
        epoch.incrementAndGet();
        inPlace.clear();
    }

    @Override
    public void close() {
        for (AutoCloseable c : opened) {
            try {
                c.close();
            } catch (Exception e) {
                // closing a netlink socket fails only for a bad fd
            }
        }
        opened.clear();
    }
}
