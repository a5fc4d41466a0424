package io.shardis.proxy.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.tree.ImmutableNode;

/**
 * Reads a pool's {@code tls:}, {@code backend_tls:} and {@code sentinel_tls:} blocks. Files are
 * checked for being readable here, so {@code -t} names a missing one; their contents are read
 * when the pool starts. Errors name the file, pool and key, never a key password.
 */
final class TlsConfigReader extends PoolKeys {

    static final Set<String> LISTENER_KEYS = Set.of(
            "listen",
            "cert_file",
            "key_file",
            "key_password",
            "ca_file",
            "client_auth",
            "protocols",
            "ciphers",
            "engine",
            "handshake_timeout");
    static final Set<String> PEER_KEYS = Set.of(
            "ca_file",
            "cert_file",
            "key_file",
            "key_password",
            "verify_hostname",
            "server_name",
            "insecure",
            "protocols",
            "ciphers",
            "engine");
    private static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");
    static final int DEFAULT_HANDSHAKE_TIMEOUT_MILLIS = 10_000;

    TlsConfigReader(String source, String pool, ImmutableNode node, HierarchicalConfiguration<ImmutableNode> config) {
        super(source, pool, node, config);
    }

    TlsConfig read() throws ConfigException {
        return new TlsConfig(listener(), peer("backend_tls"), peer("sentinel_tls"));
    }

    private TlsConfig.Listener listener() throws ConfigException {
        String block = "tls";
        if (!checkBlock(block, LISTENER_KEYS)) {
            return null;
        }
        Path cert = file(block, "cert_file", true);
        Path key = file(block, "key_file", true);
        Path ca = file(block, "ca_file", false);
        String authText =
                string(block + ".client_auth", ca == null ? "none" : "required").toLowerCase(Locale.ROOT);
        TlsConfig.ClientAuth auth = switch (authText) {
            case "none" -> TlsConfig.ClientAuth.NONE;
            case "optional" -> TlsConfig.ClientAuth.OPTIONAL;
            case "required" -> TlsConfig.ClientAuth.REQUIRED;
            default ->
                throw error(block + ".client_auth", "expected one of none, optional, required; got '" + authText + "'");
        };
        if (auth != TlsConfig.ClientAuth.NONE && ca == null) {
            throw error(
                    block + ".client_auth",
                    "'" + authText + "' needs tls.ca_file, the CA that signs client" + " certificates");
        }
        HostPort listen = null;
        String listenText = string(block + ".listen", null);
        if (listenText != null) {
            listen = HostPort.parse(listenText.trim());
            if (listen == null) {
                throw error(block + ".listen", "expected host:port such as 127.0.0.1:22443, got '" + listenText + "'");
            }
        }
        int handshake = integer(block + ".handshake_timeout", DEFAULT_HANDSHAKE_TIMEOUT_MILLIS);
        return new TlsConfig.Listener(
                cert,
                key,
                string(block + ".key_password", null),
                ca,
                auth,
                protocols(block),
                list(block + ".ciphers"),
                engine(block),
                listen,
                handshake);
    }

    private TlsConfig.Peer peer(String block) throws ConfigException {
        if (!checkBlock(block, PEER_KEYS)) {
            return null;
        }
        Path cert = file(block, "cert_file", false);
        Path key = file(block, "key_file", false);
        if ((cert == null) != (key == null)) {
            throw error(
                    block + (cert == null ? ".cert_file" : ".key_file"),
                    "a client certificate needs both cert_file and key_file");
        }
        boolean insecure = bool(block + ".insecure", false);
        boolean verifyHostname = bool(block + ".verify_hostname", !insecure);
        if (insecure && verifyHostname) {
            throw error(block + ".verify_hostname", "cannot be true with insecure: true, which checks no certificate");
        }
        Path ca = file(block, "ca_file", false);
        if (insecure && ca != null) {
            throw error(
                    block + ".insecure",
                    "insecure: true checks no certificate, so ca_file would be ignored;" + " remove one of them");
        }
        String serverName = string(block + ".server_name", null);
        return new TlsConfig.Peer(
                ca,
                cert,
                key,
                string(block + ".key_password", null),
                verifyHostname,
                serverName == null ? null : serverName.trim(),
                insecure,
                protocols(block),
                list(block + ".ciphers"),
                engine(block));
    }

    /** False when the pool has no such block; refuses a block that is not a map or has unknown keys. */
    private boolean checkBlock(String block, Set<String> keys) throws ConfigException {
        ImmutableNode child = node.getChildren().stream()
                .filter(c -> c.getNodeName().equals(block))
                .findFirst()
                .orElse(null);
        if (child == null) {
            return false;
        }
        if (child.getChildren().isEmpty()) {
            throw error(block, "expected a map such as { cert_file: /etc/shardis/tls/server.crt, ... }");
        }
        for (ImmutableNode key : child.getChildren()) {
            if (!keys.contains(key.getNodeName())) {
                throw error(
                        block + "." + key.getNodeName(), "unknown key; '" + block + "' takes " + new TreeSet<>(keys));
            }
        }
        return true;
    }

    private Path file(String block, String key, boolean required) throws ConfigException {
        String text = string(block + "." + key, null);
        if (text == null || text.isBlank()) {
            if (required) {
                throw error(block + "." + key, "missing; expected the path of a PEM file");
            }
            return null;
        }
        Path path = Path.of(text.trim());
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw error(block + "." + key, "cannot read the file " + path);
        }
        return path;
    }

    private List<String> protocols(String block) throws ConfigException {
        List<String> protocols = list(block + ".protocols");
        if (protocols.isEmpty()) {
            return TlsConfig.DEFAULT_PROTOCOLS;
        }
        for (String protocol : protocols) {
            if (!PROTOCOLS.contains(protocol)) {
                throw error(
                        block + ".protocols",
                        "expected TLSv1.2 and/or TLSv1.3 (older protocols are unsafe), got '" + protocol + "'");
            }
        }
        return protocols;
    }

    private TlsConfig.Engine engine(String block) throws ConfigException {
        String text = string(block + ".engine", "auto").trim().toLowerCase(Locale.ROOT);
        for (TlsConfig.Engine engine : TlsConfig.Engine.values()) {
            if (engine.configName().equals(text)) {
                return engine;
            }
        }
        throw error(block + ".engine", "expected one of auto, openssl, jdk; got '" + text + "'");
    }

    private List<String> list(String key) {
        List<String> values = new ArrayList<>();
        for (String value : config.getList(String.class, key, List.of())) {
            for (String part : value == null ? new String[0] : value.split("[,:\\s]+")) {
                if (!part.isBlank()) {
                    values.add(part.trim());
                }
            }
        }
        return values;
    }

    private int integer(String key, int fallback) throws ConfigException {
        String value = string(key, null);
        if (value == null) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed < 1) {
                throw error(key, "expected a positive number of milliseconds, got " + parsed);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw error(key, "expected a number of milliseconds, got '" + value + "'");
        }
    }
}
