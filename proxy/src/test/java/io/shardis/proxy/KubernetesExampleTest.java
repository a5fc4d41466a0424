package io.shardis.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardis.proxy.config.PoolConfig;
import io.shardis.proxy.config.ShardisConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * conf/kubernetes/ parses and fits together: the ConfigMap holds a configuration Shardis accepts,
 * the probes call /health and /ready on the port its HTTP listener takes, every pool's port is a
 * container and Service port, the configuration is mounted where the image reads it, and the
 * termination grace covers drain_grace plus the drain.
 */
class KubernetesExampleTest {

    private static final Path DIR = Path.of("..", "conf", "kubernetes");

    @SuppressWarnings("unchecked")
    private static Map<String, Object> load(String file) throws IOException {
        return (Map<String, Object>) new Yaml().load(Files.readString(DIR.resolve(file)));
    }

    @SuppressWarnings("unchecked")
    private static <T> T at(Object node, Object... path) {
        Object current = node;
        for (Object step : path) {
            current = step instanceof Integer index
                    ? ((List<Object>) current).get(index)
                    : ((Map<String, Object>) current).get(step);
            assertThat(current).as("%s in %s", step, node).isNotNull();
        }
        return (T) current;
    }

    @Test
    void theManifestsFitTheConfigurationAndTheEndpoints() throws Exception {
        Map<String, Object> configMap = load("configmap.yaml");
        Map<String, Object> deployment = load("deployment.yaml");
        Map<String, Object> service = load("service.yaml");
        assertThat(List.<Object>of(configMap.get("kind"), deployment.get("kind"), service.get("kind")))
                .containsExactly("ConfigMap", "Deployment", "Service");

        ShardisConfig config = ShardisConfig.parse(at(configMap, "data", "shardis.yml"), "configmap.yaml");
        int httpPort = config.process().http().port();
        assertThat(config.process().http().host()).isEqualTo("0.0.0.0");

        Map<String, Object> container = at(deployment, "spec", "template", "spec", "containers", 0);
        Map<String, Integer> containerPorts = new java.util.HashMap<>();
        for (Map<String, Object> port : List.<Map<String, Object>>copyOf(at(container, "ports"))) {
            containerPorts.put((String) port.get("name"), (Integer) port.get("containerPort"));
        }
        assertThat(containerPorts.get("http")).isEqualTo(httpPort);
        assertThat((String) at(container, "livenessProbe", "httpGet", "path")).isEqualTo("/health");
        assertThat((String) at(container, "readinessProbe", "httpGet", "path")).isEqualTo("/ready");
        assertThat((String) at(container, "livenessProbe", "httpGet", "port")).isEqualTo("http");
        assertThat((String) at(container, "readinessProbe", "httpGet", "port")).isEqualTo("http");

        List<Integer> servicePorts = new ArrayList<>();
        for (Map<String, Object> port : List.<Map<String, Object>>copyOf(at(service, "spec", "ports"))) {
            servicePorts.add(containerPorts.get((String) port.get("targetPort")));
        }
        for (PoolConfig pool : config.pools()) {
            assertThat(pool.listen().address().host()).as(pool.name()).isEqualTo("0.0.0.0");
            assertThat(containerPorts)
                    .as(pool.name())
                    .containsValue(pool.listen().address().port());
            assertThat(servicePorts)
                    .as(pool.name())
                    .contains(pool.listen().address().port());
        }

        List<String> args = at(container, "args");
        assertThat(args).containsExactly("-c", "/etc/shardis/shardis.yml");
        assertThat((String) at(container, "volumeMounts", 0, "mountPath")).isEqualTo("/etc/shardis");
        int graceSeconds = at(deployment, "spec", "template", "spec", "terminationGracePeriodSeconds");
        assertThat(graceSeconds * 1000L)
                .isGreaterThan(config.process().drainGraceMillis() + ShardisServer.DRAIN_MILLIS + 2000);
        Map<String, Object> matchLabels = at(deployment, "spec", "selector", "matchLabels");
        assertThat(matchLabels).isEqualTo(at(service, "spec", "selector"));
    }
}
