package io.shardis.proxy.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TwemproxyStatsDocumentTest {

    @Test
    void writesNutcrackersOwnDocumentByteForByte() {
        // Every value read back from what nutcracker 0.5.0 sent, written out again: the same bytes,
        // down to its ", " and "," separators and the final newline.
        assertThat(TwemproxyStatsDocument.render(NutcrackerCapture.snapshot())).isEqualTo(NutcrackerCapture.document());
    }

    @Test
    void escapesNamesSoThatTheDocumentStaysJson() {
        String poolName = "we\"ird\\pool";
        String serverName = "tab\there\u0001";
        StatsSnapshot snapshot = new StatsSnapshot(
                "shardis",
                "host \"a\"",
                "1.0",
                1,
                2,
                3,
                4,
                List.of(new StatsSnapshot.Pool(
                        poolName,
                        poolValues(-1),
                        List.of(new StatsSnapshot.Server(serverName, serverValues(Long.MAX_VALUE))))));

        String document = TwemproxyStatsDocument.render(snapshot);

        Map<String, Object> root = JsonTree.parse(document);
        assertThat(root.get("source")).isEqualTo("host \"a\"");
        Map<String, Object> pool = JsonTree.object(root, poolName);
        assertThat(pool.get("client_eof")).isEqualTo(-1L);
        assertThat(JsonTree.object(pool, serverName).get("requests")).isEqualTo(Long.MAX_VALUE);
        assertThat(document).contains("\\u0001").endsWith("}}}\n");
    }

    private static Map<PoolStat, Long> poolValues(long value) {
        Map<PoolStat, Long> values = new EnumMap<>(PoolStat.class);
        for (PoolStat stat : PoolStat.values()) {
            values.put(stat, value);
        }
        return values;
    }

    private static Map<ServerStat, Long> serverValues(long value) {
        Map<ServerStat, Long> values = new EnumMap<>(ServerStat.class);
        for (ServerStat stat : ServerStat.values()) {
            values.put(stat, value);
        }
        return values;
    }
}
