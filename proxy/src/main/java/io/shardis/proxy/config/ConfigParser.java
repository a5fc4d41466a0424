package io.shardis.proxy.config;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.YAMLConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.reader.ReaderException;

/**
 * Turns nutcracker.yml-shaped YAML into {@link ShardisConfig}, refusing anything it does not
 * understand: the file's pools and the {@code shardis:} block. Each pool's keys are read by
 * {@link PoolReader} into the small records of {@link PoolConfig}, with the defaults of
 * {@link PoolDefaults}; TLS blocks by {@link TlsConfigReader}.
 */
final class ConfigParser {

    private final String source;

    ConfigParser(String source) {
        this.source = source;
    }

    ShardisConfig parse(String yaml) throws ConfigException {
        YAMLConfiguration config = new YAMLConfiguration();
        try {
            config.read(new StringReader(yaml));
        } catch (ConfigurationException | RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new ConfigException(source + ": not valid YAML: " + yamlProblem(cause), e);
        }
        ImmutableNode root = config.getNodeModel().getNodeHandler().getRootNode();
        if (root.getChildren().isEmpty()) {
            throw new ConfigException(source + ": no pool defined; expected at least one pool, e.g.\n"
                    + "alpha:\n  listen: 127.0.0.1:22121\n  servers:\n    - 127.0.0.1:6379:1");
        }
        List<PoolConfig> pools = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<HostPort> listens = new HashSet<>();
        ProcessConfig process = ProcessConfig.DEFAULTS;
        for (ImmutableNode poolNode : root.getChildren()) {
            String name = poolNode.getNodeName();
            if (name == null) {
                // A key that is only an anchor ("&name:") names nothing.
                throw new ConfigException(source + ": a pool without a name; expected pool names at the top level"
                        + " (alpha: ..., beta: ...)");
            }
            if (name.equals(ProcessConfig.BLOCK)) {
                // The process' own settings (HTTP listener, JMX), not a pool.
                process = ProcessConfig.read(poolNode, source);
                continue;
            }
            if (!names.add(name)) {
                throw new ConfigException(source + ": pool '" + name + "' is defined twice");
            }
            if (name.contains(".")) {
                throw new ConfigException(source + ": pool '" + name + "': pool names may not contain '.'");
            }
            if (name.matches(".*[()\\[\\]].*")) {
                // The configuration library reads them as an index or an attribute of the key.
                throw new ConfigException(
                        source + ": pool '" + name + "': pool names may not contain '(', ')', '[' or ']'");
            }
            if (poolNode.getChildren().isEmpty()) {
                throw new ConfigException(source + ": pool '" + name
                        + "': expected a map of settings (listen, servers, ...), got '" + poolNode.getValue() + "'");
            }
            HierarchicalConfiguration<ImmutableNode> poolConfig;
            try {
                poolConfig = config.configurationAt(name);
            } catch (RuntimeException e) {
                // E.g. a list of maps where the pool's settings should be: the name selects several nodes.
                throw new ConfigException(
                        source + ": pool '" + name + "': expected one map of settings (listen, servers, ...)");
            }
            PoolConfig pool = new PoolReader(source, name, poolNode, poolConfig).read();
            HostPort listen = pool.listen().address();
            if (listen.port() != 0 && !listens.add(listen)) {
                throw new ConfigException(
                        source + ": pool '" + name + "': key 'listen': " + listen + " is already used by another pool");
            }
            HostPort tlsListen =
                    pool.tls().listener() == null ? null : pool.tls().listener().listen();
            if (tlsListen != null
                    && tlsListen.port() != 0
                    && (tlsListen.equals(pool.listen().address()) || !listens.add(tlsListen))) {
                throw new ConfigException(source + ": pool '" + name + "': key 'tls.listen': " + tlsListen
                        + " is already used by another pool or by this pool's listen");
            }
            pools.add(pool);
        }
        if (pools.isEmpty()) {
            throw new ConfigException(
                    source + ": no pool defined; expected at least one pool besides '" + ProcessConfig.BLOCK + "'");
        }
        return new ShardisConfig(source, pools, process);
    }

    /**
     * SnakeYAML's message quotes the offending line, which may hold a password: only the problem
     * and where it is are told.
     */
    private static String yamlProblem(Throwable cause) {
        if (cause instanceof MarkedYAMLException marked) {
            Mark mark = marked.getProblemMark();
            return (marked.getProblem() != null ? marked.getProblem() : marked.getContext())
                    + (mark != null ? " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1) : "");
        }
        if (cause instanceof ReaderException reader) {
            // A character YAML does not allow (a control character, a lone surrogate...): where, not what.
            return "a character YAML does not allow (code point " + reader.getCodePoint() + ") at offset "
                    + reader.getPosition();
        }
        // The parser's own text may quote the file (a password): say only that it could not be read.
        return "the file cannot be read as YAML";
    }
}
