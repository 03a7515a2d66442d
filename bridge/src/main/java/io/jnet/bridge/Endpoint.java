package io.jnet.bridge;

import io.jnet.cni.CniException;
import io.jnet.cni.CniVersion;
import io.jnet.cni.IpPrefix;
import io.jnet.cni.Json;
import io.jnet.cni.Result;
import io.jnet.cni.ResultCodec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one ADD made, recorded before it makes it, so that DEL, CHECK and GC need nothing but (network, container
 * id, ifname). {@code result} is null until the ADD has finished.
 */
record Endpoint(String network, String containerId, String ifName, String netns, String bridge, String hostVeth,
                  String mac, List<IpPrefix> ips, List<PortMapping> ports, Result result) {

    Endpoint {
        ips = List.copyOf(ips);
        ports = List.copyOf(ports);
    }

    boolean isComplete() {
        return result != null;
    }

    Endpoint withIps(List<IpPrefix> newIps) {
        return new Endpoint(network, containerId, ifName, netns, bridge, hostVeth, mac, newIps, ports, result);
    }

    Endpoint withResult(Result newResult) {
        return new Endpoint(network, containerId, ifName, netns, bridge, hostVeth, mac, ips, ports, newResult);
    }

    Endpoint withPorts(List<PortMapping> newPorts) {
        return new Endpoint(network, containerId, ifName, netns, bridge, hostVeth, mac, ips, newPorts, result);
    }

    Endpoint withMac(String newMac) {
        return new Endpoint(network, containerId, ifName, netns, bridge, hostVeth, newMac, ips, ports, result);
    }

    byte[] toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("network", network);
        m.put("containerId", containerId);
        m.put("ifName", ifName);
        m.put("netns", netns);
        m.put("bridge", bridge);
        m.put("hostVeth", hostVeth);
        m.put("mac", mac);
        List<Object> ipList = new ArrayList<>();
        for (IpPrefix ip : ips) {
            ipList.add(ip.toString());
        }
        m.put("ips", ipList);
        List<Object> portList = new ArrayList<>();
        for (PortMapping p : ports) {
            portList.add(p.toJson());
        }
        m.put("portMappings", portList);
        if (result != null) {
            m.put("result", ResultCodec.toJson(result, CniVersion.LATEST));
        }
        return Json.writeBytes(m);
    }

    static Endpoint fromJson(byte[] data) throws CniException {
        Map<String, Object> m = Json.parseObject(data);
        String where = "attachment";
        List<IpPrefix> ips = new ArrayList<>();
        for (String ip : Json.optStringList(m, where, "ips")) {
            ips.add(IpPrefix.parse(ip, where + ".ips"));
        }
        Object result = m.get("result");
        return new Endpoint(Json.requireString(m, where, "network"), Json.requireString(m, where, "containerId"),
                Json.requireString(m, where, "ifName"), Json.optString(m, where, "netns", ""),
                Json.requireString(m, where, "bridge"), Json.requireString(m, where, "hostVeth"),
                Json.optString(m, where, "mac", ""), ips,
                PortMapping.parseAll(m.get("portMappings"), null),
                result == null ? null : ResultCodec.decode(Json.asObject(result, where + ".result"), where + ".result"));
    }
}
