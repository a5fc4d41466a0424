package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardis.it.support.FreePorts;
import io.shardis.it.support.Poll;
import io.shardis.it.support.RedisClusterFixture;
import io.shardis.it.support.ShardisFixture;
import io.shardis.it.support.TestCertificates;
import io.shardis.it.support.TlsClients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * A Redis Cluster over TLS ({@code tls-cluster yes}) behind a cluster pool that speaks TLS to its
 * clients too. The nodes announce the host name {@code localhost} ({@code
 * cluster-preferred-endpoint-type hostname}) and their TLS ports in {@code CLUSTER SHARDS}: Shardis
 * reads the slot map over TLS, connects to each node's TLS port and checks that its certificate
 * names {@code localhost}. (The nodes keep a plain port for the fixture that forms the cluster.)
 */
class TlsClusterIT {

    @Test
    void aClusterPoolReachesEveryNodeOnItsTlsPortByHostName() {
        TestCertificates certs = TestCertificates.create("cluster");
        TestCertificates.Issued node = certs.server();
        try (RedisClusterFixture cluster = RedisClusterFixture.builder()
                .masters(3)
                .replicasPerMaster(0)
                .nodeArgs(port -> List.of(
                        "--tls-port",
                        Integer.toString(FreePorts.next()),
                        "--tls-cluster",
                        "yes",
                        // The bus stays beside the plain port the fixture forms the cluster through.
                        "--cluster-port",
                        Integer.toString(port + 10_000),
                        "--tls-cert-file",
                        node.certFile().toString(),
                        "--tls-key-file",
                        node.keyFile().toString(),
                        "--tls-ca-cert-file",
                        certs.caFile().toString(),
                        "--tls-auth-clients",
                        "optional"))
                .start()) {
            for (RedisClusterFixture.Node each : cluster.nodes()) {
                try (Jedis jedis = each.client()) {
                    jedis.configSet("cluster-announce-hostname", "localhost");
                    jedis.configSet("cluster-preferred-endpoint-type", "hostname");
                }
            }
            assertThat(Poll.until(
                            Duration.ofSeconds(30),
                            () -> cluster.nodes().stream().allMatch(each -> {
                                try (Jedis jedis = each.client()) {
                                    return count(jedis.clusterNodes(), ",localhost")
                                            == cluster.nodes().size();
                                }
                            }),
                            () -> false))
                    .as("every node announces its host name")
                    .isTrue();
            int seedTlsPort = tlsPort(cluster.nodes().get(0));
            try (ShardisFixture shardis = ShardisFixture.start(
                            """
                    sessions:
                      listen: 127.0.0.1:0
                      timeout: 5000
                      tls:
                        cert_file: ${cert}
                        key_file: ${key}
                      backend_tls:
                        ca_file: ${ca}
                      cluster:
                        seeds: [localhost:${seed}]
                    """,
                            Map.of(
                                    "cert",
                                    node.certFile(),
                                    "key",
                                    node.keyFile(),
                                    "ca",
                                    certs.caFile(),
                                    "seed",
                                    seedTlsPort));
                    Jedis client = TlsClients.jedis(shardis.port("sessions"), certs, null)) {
                List<String> keys = new ArrayList<>();
                for (int i = 0; i < 30; i++) {
                    keys.add("tls-cluster:" + i);
                    assertThat(client.set("tls-cluster:" + i, "v" + i)).isEqualTo("OK");
                }
                List<String> values = client.mget(keys.toArray(String[]::new));
                for (int i = 0; i < 30; i++) {
                    assertThat(values.get(i)).isEqualTo("v" + i);
                }
                assertThat(client.dbSize()).isEqualTo(30);
                for (RedisClusterFixture.Node master : cluster.masters()) {
                    int tlsPort = tlsPort(master);
                    try (Jedis direct = master.client()) {
                        assertThat(direct.clientList())
                                .as("Shardis is connected to %s on its TLS port", master)
                                .contains("laddr=127.0.0.1:" + tlsPort);
                        assertThat(direct.dbSize())
                                .as("keys spread over the masters")
                                .isPositive();
                    }
                }
            }
        }
    }

    private static int tlsPort(RedisClusterFixture.Node node) {
        try (Jedis jedis = node.client()) {
            return Integer.parseInt(jedis.configGet("tls-port").get("tls-port"));
        }
    }

    private static long count(String text, String part) {
        long count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            count++;
        }
        return count;
    }
}
