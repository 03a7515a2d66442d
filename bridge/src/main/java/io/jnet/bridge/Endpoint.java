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
                  String mac, List<IpPrefix> ips, List<PortMapping> ports, Result result, Policy policy) {

    /**
     * The network's firewall options as this attachment's ADD applied them (null until then, and in records of
     * older versions): with the bridge and the addresses, what the firewall healer re-applies from.
     */
    record Policy(boolean ipMasq, boolean icc, boolean internal, Firewall.Overlay overlay) {
    }

    Endpoint {
        ips = List.copyOf(ips);
        ports = List.copyOf(ports);
    }

    Endpoint(String network, String containerId, String ifName, String netns, String bridge, String hostVeth,
             String mac, List<IpPrefix> ips, List<PortMapping> ports, Result result) {
        this(network, containerId, ifName, netns, bridge, hostVeth, mac, ips, ports, result, null);
    }

    boolean isComplete() {
        return result != null;
    }

    Endpoint withIps(List<IpPrefix> newIps) {
        return new Endpoint(network, containerId, ifName, netns, bridge, hostVeth, mac, newIps, ports, result, policy);
    }

    Endpoint withResult(Result newResult) {
        return new Endpoint(network, containerId, ifName, netns, bridge, hostVeth, mac, ips, ports, newResult, policy);
    }

    Endpoint withPorts(List<PortMapping> newPorts) {
        return new Endpoint(network, containerId, ifName, netns, bridge, hostVeth, mac, ips, newPorts, result, policy);
    }

    Endpoint withMac(String newMac) {
        return new Endpoint(network, containerId, ifName, netns, bridge, hostVeth, newMac, ips, ports, result, policy);
    }

    Endpoint withPolicy(Policy newPolicy) {
        return new Endpoint(network, containerId, ifName, netns, bridge, hostVeth, mac, ips, ports, result, newPolicy);
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
        if (policy != null) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("ipMasq", policy.ipMasq());
            p.put("icc", policy.icc());
            p.put("internal", policy.internal());
            if (policy.overlay() != null) {
                p.put("overlay", Map.of("subnet", policy.overlay().subnet().toString(),
                        "device", policy.overlay().device()));
            }
            m.put("firewall", p);
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
        // a record of an older version has no policy, and the healer leaves its network alone
        Policy policy = m.get("firewall") == null ? null
                : policy(Json.optObject(m, where, "firewall"), where + ".firewall");
        return new Endpoint(Json.requireString(m, where, "network"), Json.requireString(m, where, "containerId"),
                Json.requireString(m, where, "ifName"), Json.optString(m, where, "netns", ""),
                Json.requireString(m, where, "bridge"), Json.requireString(m, where, "hostVeth"),
                Json.optString(m, where, "mac", ""), ips,
                PortMapping.parseAll(m.get("portMappings"), null),
                result == null ? null : ResultCodec.decode(Json.asObject(result, where + ".result"), where + ".result"),
                policy);
    }

    private static Policy policy(Map<String, Object> firewall, String where) throws CniException {
        Map<String, Object> overlay = Json.optObject(firewall, where, "overlay");
        return new Policy(Json.optBoolean(firewall, where, "ipMasq", true), Json.optBoolean(firewall, where, "icc", true),
                Json.optBoolean(firewall, where, "internal", false), overlay.isEmpty() ? null : new Firewall.Overlay(
                IpPrefix.parse(Json.requireString(overlay, where + ".overlay", "subnet"), where + ".overlay.subnet"),
                Json.requireString(overlay, where + ".overlay", "device")));
    }
}
