package io.jnet.cli;

import io.jnet.cni.CniException;
import io.jnet.cni.ErrorCode;
import io.jnet.cni.Json;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What jnet knows about one container: a file {@code <root>/containers/<name>.json} in the {@link ContainerStore}.
 *
 * @param name     the container's name, unique in the store ({@link ContainerStore#checkName})
 * @param id       64 lower-case hex digits, random, as Docker's; any unique prefix finds the container
 * @param network  {@code host}, {@code none}, {@code container:<leader>}, or the bridge network's name
 * @param netns    the path of the container's network namespace: its own name under the run directory for bridge,
 *                 none and host (a bind mount of the host's namespace), the leader's for a member
 * @param ifname   the CNI_IFNAME of the attachment ({@code lo} for none, {@code eth0} otherwise)
 * @param leader   for mode {@link NetworkMode#CONTAINER}: the name of the container whose namespace it joined
 *                 (always the namespace's owner, never another member); "" otherwise
 * @param members  for an owner: the names of the containers that joined its namespace
 * @param ports    the published ports that were asked for ({@code -p}); only a bridge network publishes them
 * @param ip       the address asked for ({@code --ip}), "" for any
 * @param mac      the MAC address asked for ({@code --mac}), "" for any
 * @param result   the plugin's ADD result as CNI 1.1.0 JSON; empty until ADD has succeeded
 */
public record ContainerRecord(String name, String id, NetworkMode mode, String network, String netns,
                              Instant created, String ifname, String leader, List<String> members,
                              List<PublishSpec> ports, String ip, String mac, Map<String, Object> result) {

    public ContainerRecord {
        ContainerStore.checkName(name);
        if (id == null || !ContainerStore.isId(id)) {
            throw new IllegalArgumentException("container id must be 64 lower-case hex digits: " + id);
        }
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(netns, "netns");
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(ifname, "ifname");
        Objects.requireNonNull(leader, "leader");
        Objects.requireNonNull(ip, "ip");
        Objects.requireNonNull(mac, "mac");
        if ((mode == NetworkMode.CONTAINER) == leader.isEmpty()) {
            throw new IllegalArgumentException("container " + name + ": a leader goes with mode container only");
        }
        members = List.copyOf(members);
        ports = List.copyOf(ports);
        result = Collections.unmodifiableMap(new LinkedHashMap<>(result));
    }

    /** The first 12 hex digits, as {@code docker ps} shows an id. */
    public String shortId() {
        return id.substring(0, 12);
    }

    public ContainerRecord withResult(Map<String, Object> result) {
        return new ContainerRecord(name, id, mode, network, netns, created, ifname, leader, members, ports, ip, mac,
                result);
    }

    public ContainerRecord withMembers(List<String> members) {
        return new ContainerRecord(name, id, mode, network, netns, created, ifname, leader, members, ports, ip, mac,
                result);
    }

    /** The record as the store writes it. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("id", id);
        m.put("mode", mode.text());
        m.put("network", network);
        m.put("netns", netns);
        m.put("created", created.toString());
        m.put("ifname", ifname);
        m.put("leader", leader);
        m.put("members", members);
        List<Object> portList = new ArrayList<>();
        for (PublishSpec p : ports) {
            portList.add(p.toString());
        }
        m.put("ports", portList);
        m.put("ip", ip);
        m.put("mac", mac);
        m.put("result", result);
        return m;
    }

    /** Reads a record the store wrote; code 7 ({@link CniException}) naming the field when it is not one. */
    public static ContainerRecord fromJson(Map<String, Object> m, String where) throws CniException {
        String modeText = Json.requireString(m, where, "mode");
        NetworkMode mode = NetworkMode.parse(modeText).orElseThrow(() -> invalid(where, "mode", modeText));
        String createdText = Json.requireString(m, where, "created");
        Instant created;
        try {
            created = Instant.parse(createdText);
        } catch (DateTimeParseException e) {
            throw invalid(where, "created", createdText);
        }
        List<PublishSpec> ports = new ArrayList<>();
        for (String p : Json.optStringList(m, where, "ports")) {
            try {
                ports.add(PublishSpec.parse(p));
            } catch (IllegalArgumentException e) {
                throw invalid(where, "ports", p);
            }
        }
        try {
            return new ContainerRecord(Json.requireString(m, where, "name"), Json.requireString(m, where, "id"), mode,
                    Json.requireString(m, where, "network"), Json.requireString(m, where, "netns"), created,
                    Json.requireString(m, where, "ifname"), Json.optString(m, where, "leader", ""),
                    Json.optStringList(m, where, "members"), ports, Json.optString(m, where, "ip", ""),
                    Json.optString(m, where, "mac", ""), Json.optObject(m, where, "result"));
        } catch (IllegalArgumentException e) {
            throw new CniException(ErrorCode.INVALID_CONFIG, where + ": " + e.getMessage());
        }
    }

    private static CniException invalid(String where, String field, String value) {
        return new CniException(ErrorCode.INVALID_CONFIG,
                Json.path(where, field) + ": invalid value \"" + value + "\"");
    }
}
