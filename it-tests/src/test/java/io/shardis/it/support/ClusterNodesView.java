package io.shardis.it.support;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * One node's {@code CLUSTER NODES} reply, reduced to what all nodes must agree on once the
 * cluster has settled: each node's id, address, role, failure flag, master and slots. What is
 * private to the node asked (the {@code myself} flag, timers, epochs, slots being migrated) is left
 * out, so the views of two nodes compare equal exactly when they agree.
 */
record ClusterNodesView(List<Line> lines) {

    /**
     * One node as seen by the node asked.
     *
     * @param failState {@code ""}, {@code "pfail"} (suspected by the node asked) or {@code "fail"} (agreed)
     * @param masterId  the master a replica follows, {@code "-"} for masters
     * @param slots     slot ranges as written, e.g. {@code 0-5460}, {@code 12000}
     */
    record Line(
            String id,
            String host,
            int port,
            boolean master,
            String failState,
            String masterId,
            List<String> slots,
            boolean connected,
            boolean handshake) {

        boolean owns(int slot) {
            for (String range : slots) {
                int dash = range.indexOf('-');
                int first = Integer.parseInt(dash < 0 ? range : range.substring(0, dash));
                int last = dash < 0 ? first : Integer.parseInt(range.substring(dash + 1));
                if (slot >= first && slot <= last) {
                    return true;
                }
            }
            return false;
        }

        /** The part every node must agree on. */
        String agreed() {
            return id + " " + host + ":" + port + " " + (master ? "master" : "slave") + " " + failState + " " + masterId
                    + " " + slots;
        }
    }

    static ClusterNodesView parse(String clusterNodes) {
        List<Line> lines = new ArrayList<>();
        for (String text : clusterNodes.split("\n")) {
            if (text.isBlank()) {
                continue;
            }
            String[] fields = text.trim().split(" ");
            String address = fields[1];
            int at = address.indexOf('@');
            String hostPort = at < 0 ? address : address.substring(0, at);
            int colon = hostPort.lastIndexOf(':');
            List<String> flags = List.of(fields[2].split(","));
            String failState = flags.contains("fail") ? "fail" : flags.contains("fail?") ? "pfail" : "";
            List<String> slots = new ArrayList<>();
            for (int i = 8; i < fields.length; i++) {
                if (!fields[i].startsWith("[")) {
                    slots.add(fields[i]);
                }
            }
            lines.add(new Line(
                    fields[0],
                    hostPort.substring(0, colon),
                    Integer.parseInt(hostPort.substring(colon + 1)),
                    flags.contains("master"),
                    failState,
                    fields[3],
                    List.copyOf(slots),
                    fields[7].equals("connected"),
                    flags.contains("handshake") || flags.contains("noaddr")));
        }
        lines.sort(Comparator.comparing(Line::id));
        return new ClusterNodesView(List.copyOf(lines));
    }

    /** What every node must agree on, one line per node. */
    List<String> agreed() {
        return lines.stream().map(Line::agreed).toList();
    }

    Optional<Line> ownerOf(int slot) {
        return lines.stream().filter(line -> line.master() && line.owns(slot)).findFirst();
    }

    Optional<Line> line(String id) {
        return lines.stream().filter(line -> line.id().equals(id)).findFirst();
    }
}
