package io.shardis.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * The image {@code mvn -Pimage package} writes (target/jib-image.tar), when it is there: its
 * manifest names its config, whose entrypoint runs Shardis' main class on the mounted
 * configuration, as a user that is not root, with the listeners' ports exposed.
 */
@EnabledIf("imageBuilt")
class ImageTarballTest {

    private static final Path TARBALL = Path.of("target", "jib-image.tar");

    static boolean imageBuilt() {
        return Files.isRegularFile(TARBALL);
    }

    @Test
    void theImageRunsShardisAsANonRootUserWithItsPortsExposed() throws IOException {
        Map<String, byte[]> files = smallFiles(TARBALL);
        JsonArray manifest =
                JsonParser.parseString(text(files.get("manifest.json"))).getAsJsonArray();
        String configName = manifest.get(0).getAsJsonObject().get("Config").getAsString();
        JsonObject config = JsonParser.parseString(text(files.get(configName)))
                .getAsJsonObject()
                .getAsJsonObject("config");

        String entrypoint = config.getAsJsonArray("Entrypoint").toString();
        assertThat(entrypoint).contains("java", "-XX:+ExitOnOutOfMemoryError", "io.shardis.proxy.Main");
        assertThat(config.getAsJsonArray("Cmd").toString()).contains("-c", "/etc/shardis/shardis.yml");
        assertThat(config.get("User").getAsString()).isEqualTo("65532:65532");
        assertThat(config.getAsJsonObject("ExposedPorts").keySet()).contains("22121/tcp", "22222/tcp", "22223/tcp");
    }

    private static String text(byte[] bytes) {
        assertThat(bytes).isNotNull();
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** The tarball's files of under 1 MiB by name (the manifest and the config; layers are skipped). */
    private static Map<String, byte[]> smallFiles(Path tarball) throws IOException {
        Map<String, byte[]> files = new HashMap<>();
        try (InputStream raw = Files.newInputStream(tarball);
                DataInputStream in = new DataInputStream(raw)) {
            byte[] header = new byte[512];
            while (true) {
                in.readFully(header);
                String name = new String(header, 0, 100, StandardCharsets.US_ASCII)
                        .replace("\0", "")
                        .trim();
                if (name.isEmpty()) {
                    return files;
                }
                long size = Long.parseLong(
                        new String(header, 124, 12, StandardCharsets.US_ASCII)
                                .replace("\0", "")
                                .trim(),
                        8);
                long padded = (size + 511) / 512 * 512;
                if (size < (1 << 20)) {
                    byte[] content = new byte[(int) padded];
                    in.readFully(content);
                    files.put(name, java.util.Arrays.copyOf(content, (int) size));
                } else {
                    in.skipNBytes(padded);
                }
            }
        }
    }
}
