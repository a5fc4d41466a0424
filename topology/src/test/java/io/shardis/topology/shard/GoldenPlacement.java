package io.shardis.topology.shard;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * One golden file: a pool's settings, its servers with which were live, and where the real
 * nutcracker put each key (see {@code src/test/golden-generator/generate_golden.py}).
 */
record GoldenPlacement(
        String file,
        HashFunction hash,
        Distribution distribution,
        HashTag tag,
        List<ShardServer> servers,
        boolean[] live,
        List<byte[]> keys,
        int[] expected) {

    private static final String DIRECTORY = "golden";

    /** Every golden file on the test classpath, by name. */
    static List<GoldenPlacement> all() {
        URL url = GoldenPlacement.class.getClassLoader().getResource(DIRECTORY);
        if (url == null) {
            throw new IllegalStateException("no " + DIRECTORY + "/ on the test classpath");
        }
        try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
            return files.filter(path -> path.toString().endsWith(".txt"))
                    .sorted()
                    .map(GoldenPlacement::read)
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static GoldenPlacement read(Path path) {
        List<String> lines;
        try {
            lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        HashFunction hash = null;
        Distribution distribution = null;
        HashTag tag = HashTag.NONE;
        List<ShardServer> servers = new ArrayList<>();
        List<Boolean> live = new ArrayList<>();
        List<byte[]> keys = new ArrayList<>();
        List<Integer> expected = new ArrayList<>();
        int declaredKeys = -1;
        for (String line : lines) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            if (line.startsWith("hash: ")) {
                hash = HashFunction.fromConfigName(line.substring("hash: ".length()));
            } else if (line.startsWith("distribution: ")) {
                distribution = Distribution.fromConfigName(line.substring("distribution: ".length()));
            } else if (line.startsWith("hash_tag:")) {
                tag = HashTag.parse(line.substring("hash_tag:".length()).trim());
            } else if (line.startsWith("server: ")) {
                String[] parts = line.substring("server: ".length()).split(" \\| ");
                servers.add(ShardServer.parse(parts[0]));
                live.add(parts[1].equals("live"));
            } else if (line.startsWith("keys: ")) {
                declaredKeys = Integer.parseInt(line.substring("keys: ".length()));
            } else {
                int space = line.indexOf(' ');
                expected.add(Integer.parseInt(line.substring(0, space)));
                String hex = line.substring(space + 1);
                keys.add(hex.equals("-") ? new byte[0] : HexFormat.of().parseHex(hex));
            }
        }
        if (hash == null || distribution == null || servers.isEmpty() || declaredKeys != keys.size()) {
            throw new IllegalStateException(path + " is not a complete golden file");
        }
        boolean[] liveFlags = new boolean[live.size()];
        for (int i = 0; i < liveFlags.length; i++) {
            liveFlags[i] = live.get(i);
        }
        return new GoldenPlacement(
                path.getFileName().toString(),
                hash,
                distribution,
                tag,
                List.copyOf(servers),
                liveFlags,
                List.copyOf(keys),
                expected.stream().mapToInt(Integer::intValue).toArray());
    }

    ShardRing ring() {
        return ShardRing.build(hash, tag, distribution, servers, live);
    }

    @Override
    public String toString() {
        return file;
    }
}
