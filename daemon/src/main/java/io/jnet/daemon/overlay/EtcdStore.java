package io.jnet.daemon.overlay;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.LeaseOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.jnet.cni.CniException;
import io.jnet.cni.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The overlay's state in etcd through jetcd: networks, host claims (compare-and-create transactions bound to a
 * lease), leases and the watch. Every call waits at most the store's timeout; failures are IOExceptions that say
 * what could not be done, so the caller can tell "etcd is away" from an answer.
 */
public final class EtcdStore implements AutoCloseable {

    /** The daemon's timeout: short, so that a keep-alive is retried well within the lease's TTL. */
    public static final Duration DAEMON_TIMEOUT = Duration.ofSeconds(2);
    /** A command's: its one call also pays for a cold JVM's first connection. */
    public static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(15);

    private final String endpoints;
    private final Duration timeout;
    private volatile Client client;

    private EtcdStore(String endpoints, Duration timeout) {
        this.endpoints = endpoints;
        this.timeout = timeout;
        this.client = newClient();
    }

    private Client newClient() {
        return Client.builder().endpoints(endpoints.split(",")).connectTimeout(timeout).build();
    }

    /**
     * A fresh client (and connection) after etcd failed to answer: gRPC's reconnect back-off grows to minutes,
     * while a lease must be renewed within its TTL of etcd coming back. Watches of the old client end.
     */
    public void reconnect() {
        Client old = client;
        client = newClient();
        old.close();
    }

    /** A client of {@code endpoints} (comma-separated URLs); it connects lazily, so this does not fail when etcd is away. */
    public static EtcdStore connect(String endpoints, Duration timeout) {
        // jetcd logs through SLF4J and we ship no binding: without this SLF4J prints three lines saying so
        if (System.getProperty("slf4j.internal.verbosity") == null) {
            System.setProperty("slf4j.internal.verbosity", "ERROR");
        }
        return new EtcdStore(endpoints, timeout);
    }

    public String endpoints() {
        return endpoints;
    }

    /** A claim as stored: the claim, its lease and the bytes it was stored as (for a compare). */
    public record Claimed(HostClaim claim, long lease, byte[] raw) {
    }

    // ---- networks

    /** Stores {@code network} unless a network of that name exists; false then. */
    public boolean createNetwork(OverlayNetwork network) throws IOException {
        ByteSequence key = bytes(Keys.network(network.name()));
        TxnResponse r = await(client.getKVClient().txn()
                .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.version(0)))
                .Then(Op.put(key, bytes(Json.write(network.toJson())), PutOption.DEFAULT)).commit(),
                "create network " + network.name());
        return r.isSucceeded();
    }

    /**
     * Deletes the network and all its hosts' claims in one transaction, so that no daemon sees claims without their
     * network; false when no network of that name exists.
     */
    public boolean deleteNetwork(String name) throws IOException {
        ByteSequence key = bytes(Keys.network(name));
        TxnResponse r = await(client.getKVClient().txn()
                .If(new Cmp(key, Cmp.Op.GREATER, CmpTarget.version(0)))
                .Then(Op.delete(key, DeleteOption.DEFAULT),
                        Op.delete(bytes(Keys.claims(name)), DeleteOption.builder().isPrefix(true).build())).commit(),
                "delete network " + name);
        return r.isSucceeded();
    }

    public List<OverlayNetwork> networks() throws IOException {
        List<OverlayNetwork> out = new ArrayList<>();
        for (KeyValue kv : prefix(Keys.NETWORKS, "list the overlay networks")) {
            out.add(decode(kv, OverlayNetwork::fromJson));
        }
        return out;
    }

    public Optional<OverlayNetwork> network(String name) throws IOException {
        GetResponse r = await(client.getKVClient().get(bytes(Keys.network(name))), "read network " + name);
        return r.getKvs().isEmpty() ? Optional.empty() : Optional.of(decode(r.getKvs().get(0), OverlayNetwork::fromJson));
    }

    // ---- claims

    public List<Claimed> claims(String network) throws IOException {
        List<Claimed> out = new ArrayList<>();
        for (KeyValue kv : prefix(Keys.claims(network), "list the host subnets of " + network)) {
            out.add(new Claimed(decode(kv, HostClaim::fromJson), kv.getLease(), kv.getValue().getBytes()));
        }
        return out;
    }

    /**
     * Creates the claim's key, bound to {@code lease}, unless it exists: the compare-and-create. It also requires
     * the network to exist, so that a claim made from a list read just before a {@code network rm} cannot outlive
     * the network (the lease would keep it alive for ever).
     *
     * @throws NetworkGoneException when the network no longer exists
     */
    public boolean claim(String network, HostClaim claim, long lease) throws IOException {
        return put(network, claim, CmpTarget.version(0), lease, "claim ");
    }

    /**
     * Moves our own earlier claim (same subnet, underlay and MAC: a restart within the old lease's TTL) to
     * {@code lease}, provided it still holds exactly {@code previous} and the network exists.
     *
     * @throws NetworkGoneException when the network no longer exists
     */
    public boolean takeOver(String network, HostClaim claim, byte[] previous, long lease) throws IOException {
        return put(network, claim, CmpTarget.value(ByteSequence.from(previous)), lease, "reclaim ");
    }

    /** Puts the claim, bound to {@code lease}, if its key holds {@code expected} and the network exists. */
    private boolean put(String network, HostClaim claim, CmpTarget<?> expected, long lease, String what)
            throws IOException {
        ByteSequence key = bytes(Keys.claim(network, claim.hostSubnet()));
        ByteSequence networkKey = bytes(Keys.network(network));
        TxnResponse r = await(client.getKVClient().txn()
                .If(new Cmp(key, Cmp.Op.EQUAL, expected), new Cmp(networkKey, Cmp.Op.GREATER, CmpTarget.version(0)))
                .Then(Op.put(key, bytes(Json.write(claim.toJson())), PutOption.builder().withLeaseId(lease).build()))
                .Else(Op.get(networkKey, GetOption.DEFAULT))
                .commit(), what + claim.hostSubnet() + " of " + network);
        if (!r.isSucceeded() && r.getGetResponses().get(0).getKvs().isEmpty()) {
            throw new NetworkGoneException();
        }
        return r.isSucceeded();
    }

    /** etcd did not answer within the store's timeout. */
    public static final class UnreachableException extends IOException {
        UnreachableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The network was deleted from etcd while this host was claiming a subnet of it. */
    public static final class NetworkGoneException extends IOException {
        NetworkGoneException() {
            super("deleted in etcd while this host was claiming a subnet of it");
        }
    }

    // ---- leases

    public long grant(long ttlSeconds) throws IOException {
        return await(client.getLeaseClient().grant(ttlSeconds), "grant a lease").getID();
    }

    /** One keep-alive: the lease's new TTL in seconds, or ≤ 0 when etcd no longer knows the lease. */
    public long keepAlive(long lease) throws IOException {
        try {
            return await(client.getLeaseClient().keepAliveOnce(lease), "keep lease " + Long.toHexString(lease)
                    + " alive").getTTL();
        } catch (IOException e) {
            if (String.valueOf(e.getMessage()).contains("lease not found")) {
                return 0;
            }
            throw e;
        }
    }

    /** The lease's remaining seconds, -1 when it expired. */
    public long timeToLive(long lease) throws IOException {
        return await(client.getLeaseClient().timeToLive(lease, LeaseOption.DEFAULT), "read lease "
                + Long.toHexString(lease)).getTTL();
    }

    public void revoke(long lease) throws IOException {
        await(client.getLeaseClient().revoke(lease), "revoke lease " + Long.toHexString(lease));
    }

    // ---- watch

    /** Calls {@code onChange} on every change under {@link Keys#ROOT}, and {@code onError} when the watch fails. */
    public Watch.Watcher watch(Runnable onChange, java.util.function.Consumer<Throwable> onError) {
        return client.getWatchClient().watch(bytes(Keys.ROOT), WatchOption.builder().isPrefix(true).build(),
                Watch.listener(response -> onChange.run(), onError));
    }

    private List<KeyValue> prefix(String prefix, String what) throws IOException {
        return await(client.getKVClient().get(bytes(prefix), GetOption.builder().isPrefix(true).build()), what)
                .getKvs();
    }

    private interface Decoder<T> {
        T decode(java.util.Map<String, Object> json) throws CniException;
    }

    private static <T> T decode(KeyValue kv, Decoder<T> decoder) throws IOException {
        try {
            return decoder.decode(Json.parseObject(kv.getValue().getBytes()));
        } catch (CniException e) {
            throw new IOException("etcd key " + kv.getKey().toString(StandardCharsets.UTF_8) + ": " + e.getMessage(), e);
        }
    }

    private <T> T await(CompletableFuture<T> future, String what) throws IOException {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new IOException(what + " at " + endpoints + ": " + cause.getMessage(), cause);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new UnreachableException(what + ": etcd at " + endpoints + " did not answer within "
                    + timeout.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(what + ": interrupted", e);
        }
    }

    static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        client.close();
    }
}
