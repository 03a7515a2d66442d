package io.jnet.daemon.docker;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/** The calls of libnetwork's plugin protocol, by path, with the driver that answers each. */
final class DockerApi {

    /** One call: its body in, its response body out. */
    interface Call {
        Map<String, Object> answer(Body body) throws DockerException, IOException;
    }

    private final Map<String, Call> calls;

    DockerApi(NetworkDriver net, IpamDriver ipam) {
        this.calls = Map.ofEntries(
                Map.entry("/Plugin.Activate", b -> Map.of("Implements", List.of("NetworkDriver", "IpamDriver"))),
                Map.entry("/NetworkDriver.GetCapabilities", b -> net.capabilities()),
                Map.entry("/NetworkDriver.CreateNetwork", net::createNetwork),
                Map.entry("/NetworkDriver.DeleteNetwork", net::deleteNetwork),
                Map.entry("/NetworkDriver.AllocateNetwork", b -> Map.of()),
                Map.entry("/NetworkDriver.FreeNetwork", b -> Map.of()),
                Map.entry("/NetworkDriver.CreateEndpoint", net::createEndpoint),
                Map.entry("/NetworkDriver.DeleteEndpoint", net::deleteEndpoint),
                Map.entry("/NetworkDriver.EndpointOperInfo", net::endpointInfo),
                Map.entry("/NetworkDriver.Join", net::join),
                Map.entry("/NetworkDriver.Leave", net::leave),
                Map.entry("/NetworkDriver.ProgramExternalConnectivity", net::programExternalConnectivity),
                Map.entry("/NetworkDriver.RevokeExternalConnectivity", net::revokeExternalConnectivity),
                Map.entry("/NetworkDriver.DiscoverNew", b -> Map.of()),
                Map.entry("/NetworkDriver.DiscoverDelete", b -> Map.of()),
                Map.entry("/IpamDriver.GetCapabilities", b -> ipam.capabilities()),
                Map.entry("/IpamDriver.GetDefaultAddressSpaces", b -> ipam.addressSpaces()),
                Map.entry("/IpamDriver.RequestPool", ipam::requestPool),
                Map.entry("/IpamDriver.ReleasePool", ipam::releasePool),
                Map.entry("/IpamDriver.RequestAddress", ipam::requestAddress),
                Map.entry("/IpamDriver.ReleaseAddress", ipam::releaseAddress));
    }

    /** The call at {@code path}, or null. */
    Call call(String path) {
        return calls.get(path);
    }
}
