package io.jnet.cli;

import io.jnet.cni.CniException;
import io.jnet.cni.Interface;
import io.jnet.cni.IpConfig;
import io.jnet.cni.Result;
import io.jnet.cni.ResultCodec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The addresses of a stored ADD result, grouped by interface, for people to read. */
final class Addresses {

    private Addresses() {
    }

    /** Interface name to its addresses ("10.0.0.2/24"), in result order; interfaces without one are left out. */
    static Map<String, List<String>> byInterface(Map<String, Object> resultJson) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (resultJson.isEmpty()) {
            return out;
        }
        Result result;
        try {
            result = ResultCodec.decode(resultJson, "result");
        } catch (CniException e) {
            return out;
        }
        List<Interface> interfaces = result.interfaces();
        for (int i = 0; i < interfaces.size(); i++) {
            for (IpConfig ip : result.ips()) {
                if (ip.interfaceIndex() == i) {
                    out.computeIfAbsent(interfaces.get(i).name(), k -> new ArrayList<>()).add(ip.address().toString());
                }
            }
        }
        return out;
    }

    /** Every address but loopback and IPv6 link-local ones, as a container's reachable addresses. */
    static List<String> reachable(Map<String, Object> resultJson) {
        List<String> out = new ArrayList<>();
        for (List<String> addresses : byInterface(resultJson).values()) {
            for (String a : addresses) {
                if (!a.startsWith("127.") && !a.equals("::1/128") && !a.startsWith("fe80:")) {
                    out.add(a);
                }
            }
        }
        return out;
    }
}
