package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.tools.attach.VirtualMachine;
import io.shardis.it.support.RedisProcess;
import io.shardis.it.support.ShardisProcess;
import io.shardis.it.support.StopChildProcesses;
import java.util.Map;
import java.util.Set;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;

/**
 * {@code shardis: jmx: true} publishes the Dropwizard registry as MBeans, read here as jconsole
 * reads them: over a local JMX connection to the running process.
 */
@ExtendWith(StopChildProcesses.class)
class JmxIT {

    @Test
    void countersAreReadableOverALocalJmxConnection() throws Exception {
        try (RedisProcess redis = RedisProcess.start();
                ShardisProcess shardis = ShardisProcess.start("""
                        shardis:
                          jmx: true
                        alpha:
                          listen: 127.0.0.1:${port.alpha}
                          servers:
                            - ${redis}:1 cache
                        """, Map.of("redis", redis.address()))) {
            try (Jedis jedis = new Jedis("127.0.0.1", shardis.port("alpha"), 10_000)) {
                for (int i = 0; i < 25; i++) {
                    jedis.set("jmx:" + i, "v");
                }
            }
            VirtualMachine vm = VirtualMachine.attach(Long.toString(shardis.pid()));
            String address;
            try {
                address = vm.startLocalManagementAgent();
            } finally {
                vm.detach();
            }
            try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(address))) {
                MBeanServerConnection mbeans = connector.getMBeanServerConnection();
                ObjectName requests =
                        new ObjectName("shardis:type=counters,name=shardis.pool.alpha.server.cache.requests");
                Set<ObjectName> names = mbeans.queryNames(new ObjectName("shardis:*"), null);
                assertThat(names).contains(requests);
                assertThat((Long) mbeans.getAttribute(requests, "Count")).isEqualTo(25L);
                assertThat((Long) mbeans.getAttribute(
                                new ObjectName("shardis:type=counters,name=shardis.pool.alpha.client_connections"),
                                "Count"))
                        .isZero();
            }
        }
    }
}
