package io.shardis.proxy.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A whole configuration file: its pools, in file order, and the process' own settings. */
public record ShardisConfig(String source, List<PoolConfig> pools, ProcessConfig process) {

    public ShardisConfig {
        pools = List.copyOf(pools);
    }

    /** Pools with the process' default settings. */
    public ShardisConfig(String source, List<PoolConfig> pools) {
        this(source, pools, ProcessConfig.DEFAULTS);
    }

    /** Reads and checks a YAML file; the exception's message says what is wrong and where. */
    public static ShardisConfig load(Path file) throws ConfigException {
        String yaml;
        try {
            yaml = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read the configuration file: " + e.getMessage(), e);
        }
        return parse(yaml, file.toString());
    }

    /** Parses YAML text; {@code sourceName} names it in error messages. */
    public static ShardisConfig parse(String yaml, String sourceName) throws ConfigException {
        try {
            return new ConfigParser(sourceName).parse(yaml);
        } catch (RuntimeException e) {
            // A file the parser did not foresee is still refused with the file's name, never a stack
            // trace; ConfigParserFuzzTest flags the class name this message carries as a bug to fix.
            throw new ConfigException(sourceName + ": cannot read the configuration: " + e, e);
        }
    }

    public PoolConfig pool(String name) {
        for (PoolConfig pool : pools) {
            if (pool.name().equals(name)) {
                return pool;
            }
        }
        throw new IllegalArgumentException("no pool named '" + name + "' in " + source);
    }
}
