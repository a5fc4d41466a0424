package io.shardis.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardis.proxy.session.ClientSession;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packages of {@code io.shardis.proxy} form no cycle and keep the layering the README's
 * Architecture section states, computed over the compiled classes: every class file's constant pool
 * (class references, and field, method and generic signatures) gives the packages it uses, as
 * {@code jdeps -verbose:package} sees them.
 */
class PackageCyclesTest {

    private static final String ROOT = "io.shardis.proxy";

    /**
     * Bottom to top. A package may use packages of its own layer or of layers below it, never above;
     * within a layer the cycle check keeps the uses one-way. A new package takes its place here.
     */
    private static final List<List<String>> LAYERS = List.of(
            List.of("command"),
            List.of("auth"),
            List.of("config"),
            List.of("channel", "route", "tls", "metrics"),
            List.of("backend"),
            List.of("cluster", "merge"),
            List.of("session"),
            List.of("server"),
            List.of("http"),
            List.of("."));

    private static Map<String, Map<String, Set<String>>> graph;
    private static int classCount;

    @BeforeAll
    static void readCompiledClasses() throws IOException, URISyntaxException {
        Path location = Path.of(ClientSession.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        if (Files.isDirectory(location)) {
            graph = packageGraph(location);
        } else {
            try (FileSystem jar = FileSystems.newFileSystem(location)) {
                graph = packageGraph(jar.getPath("/"));
            }
        }
    }

    @Test
    void noCycleAmongThePackages() {
        List<List<String>> cycles = stronglyConnected(graph);
        assertThat(cycles).as(() -> describe(cycles, graph)).isEmpty();
    }

    @Test
    void noPackageUsesALayerAboveIt() {
        List<String> violations = new ArrayList<>();
        for (var from : graph.entrySet()) {
            int fromLayer = layerOf(from.getKey());
            for (var to : from.getValue().entrySet()) {
                int toLayer = layerOf(to.getKey());
                if (fromLayer < 0 || toLayer < 0) {
                    violations.add("package " + (fromLayer < 0 ? from.getKey() : to.getKey())
                            + " has no layer in PackageCyclesTest.LAYERS (and the README's Architecture section)");
                } else if (toLayer > fromLayer) {
                    violations.add(from.getKey() + " -> " + to.getKey() + " points up: " + to.getValue());
                }
            }
        }
        assertThat(violations).as("uses against the layering %s", LAYERS).isEmpty();
    }

    /** The scan sees the classes and their uses, so the two checks above cannot pass on an empty graph. */
    @Test
    void theScanSeesTheKnownUses() {
        assertThat(classCount).isGreaterThan(100);
        assertThat(graph.get("server")).containsKey("session");
        assertThat(graph.get("server").get("session")).contains("ClientInitializer -> ClientSession");
        assertThat(graph.get("session")).containsKeys("backend", "command", "merge", "route");
        assertThat(graph.get("backend")).containsKey("channel");
    }

    @Test
    void aCycleIsReportedWithItsPackagesAndTheUsesThatCloseIt() {
        Map<String, Map<String, Set<String>>> withCycle = new TreeMap<>();
        withCycle.computeIfAbsent("command", k -> new TreeMap<>()).put("merge", Set.of("CommandSpec -> ReplyMerge"));
        withCycle
                .computeIfAbsent("merge", k -> new TreeMap<>())
                .put("backend", Set.of("FragmentedCommand -> ReplySink"));
        withCycle
                .computeIfAbsent("backend", k -> new TreeMap<>())
                .put("command", Set.of("UnreachableHold -> CommandSpec"));
        withCycle.computeIfAbsent("session", k -> new TreeMap<>()).put("backend", Set.of("Fanout -> PendingCommand"));

        List<List<String>> cycles = stronglyConnected(withCycle);

        assertThat(cycles).containsExactly(List.of("backend", "command", "merge"));
        assertThat(describe(cycles, withCycle))
                .contains("cycle: backend <-> command <-> merge")
                .contains("command -> merge: [CommandSpec -> ReplyMerge]")
                .doesNotContain("session");
    }

    private static int layerOf(String pkg) {
        for (int i = 0; i < LAYERS.size(); i++) {
            if (LAYERS.get(i).contains(pkg)) {
                return i;
            }
        }
        return -1;
    }

    /** Package to used package to the uses ("Class -> Class"); packages named relative to the root, "." for it. */
    private static Map<String, Map<String, Set<String>>> packageGraph(Path classes) throws IOException {
        Map<String, Map<String, Set<String>>> uses = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(classes)) {
            files = walk.filter(p -> p.toString().endsWith(".class")).toList();
        }
        for (Path file : files) {
            Set<String> referenced;
            try (InputStream in = Files.newInputStream(file)) {
                referenced = referencedClasses(new DataInputStream(in));
            }
            String name = className(classes, file);
            if (!inProxy(name)) {
                continue;
            }
            classCount++;
            for (String used : referenced) {
                if (!inProxy(used) || packageOf(used).equals(packageOf(name))) {
                    continue;
                }
                uses.computeIfAbsent(packageOf(name), k -> new TreeMap<>())
                        .computeIfAbsent(packageOf(used), k -> new TreeSet<>())
                        .add(simpleName(name) + " -> " + simpleName(used));
            }
        }
        return uses;
    }

    private static final Pattern IN_DESCRIPTOR = Pattern.compile("L([A-Za-z0-9_$/]+)[;<]");

    /** The classes a class file names in its constant pool, as binary names (dots, with '$'). */
    static Set<String> referencedClasses(DataInputStream in) throws IOException {
        if (in.readInt() != 0xCAFEBABE) {
            throw new IOException("not a class file");
        }
        in.readUnsignedShort();
        in.readUnsignedShort();
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        int[] classNames = new int[count];
        int classes = 0;
        BitSet literals = new BitSet(count);
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = in.readUTF();
                case 7 -> classNames[classes++] = in.readUnsignedShort();
                case 8 -> literals.set(in.readUnsignedShort());
                case 16, 19, 20 -> in.readUnsignedShort();
                case 15 -> in.skipNBytes(3);
                case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipNBytes(4);
                case 5, 6 -> {
                    in.skipNBytes(8);
                    i++;
                }
                default -> throw new IOException("unknown constant pool tag " + tag);
            }
        }
        Set<String> names = new TreeSet<>();
        for (int c = 0; c < classes; c++) {
            String name = utf8[classNames[c]];
            if (name.startsWith("[")) {
                addFromDescriptor(name, names);
            } else {
                names.add(name.replace('/', '.'));
            }
        }
        for (int i = 1; i < count; i++) {
            if (utf8[i] != null && !literals.get(i) && utf8[i].indexOf('/') > 0) {
                addFromDescriptor(utf8[i], names);
            }
        }
        return names;
    }

    private static void addFromDescriptor(String descriptor, Set<String> names) {
        Matcher m = IN_DESCRIPTOR.matcher(descriptor);
        while (m.find()) {
            names.add(m.group(1).replace('/', '.'));
        }
    }

    private static String className(Path root, Path file) {
        String relative = root.relativize(file).toString();
        return relative.substring(0, relative.length() - ".class".length())
                .replace(file.getFileSystem().getSeparator(), ".");
    }

    private static boolean inProxy(String className) {
        return className.startsWith(ROOT + ".")
                && !className.endsWith("package-info")
                && !className.endsWith("module-info");
    }

    private static String packageOf(String className) {
        String pkg = className.substring(0, className.lastIndexOf('.'));
        return pkg.equals(ROOT) ? "." : pkg.substring(ROOT.length() + 1);
    }

    private static String simpleName(String className) {
        String simple = className.substring(className.lastIndexOf('.') + 1);
        int nested = simple.indexOf('$');
        return nested < 0 ? simple : simple.substring(0, nested);
    }

    /** Tarjan: the strongly connected components of more than one package, each sorted. */
    static List<List<String>> stronglyConnected(Map<String, Map<String, Set<String>>> edges) {
        var tarjan = new Object() {
            final Map<String, Integer> index = new HashMap<>();
            final Map<String, Integer> low = new HashMap<>();
            final Deque<String> stack = new ArrayDeque<>();
            final Set<String> onStack = new TreeSet<>();
            final List<List<String>> components = new ArrayList<>();

            void visit(String v) {
                index.put(v, index.size());
                low.put(v, index.get(v));
                stack.push(v);
                onStack.add(v);
                for (String w : edges.getOrDefault(v, Map.of()).keySet()) {
                    if (!index.containsKey(w)) {
                        visit(w);
                        low.put(v, Math.min(low.get(v), low.get(w)));
                    } else if (onStack.contains(w)) {
                        low.put(v, Math.min(low.get(v), index.get(w)));
                    }
                }
                if (low.get(v).equals(index.get(v))) {
                    List<String> component = new ArrayList<>();
                    String w;
                    do {
                        w = stack.pop();
                        onStack.remove(w);
                        component.add(w);
                    } while (!w.equals(v));
                    if (component.size() > 1) {
                        component.sort(null);
                        components.add(component);
                    }
                }
            }
        };
        for (String v : edges.keySet()) {
            if (!tarjan.index.containsKey(v)) {
                tarjan.visit(v);
            }
        }
        return tarjan.components;
    }

    /** Each cycle's packages, then the uses between them, so the one pointing the wrong way can be found. */
    static String describe(List<List<String>> cycles, Map<String, Map<String, Set<String>>> edges) {
        StringBuilder out = new StringBuilder("package cycles in " + ROOT + ":");
        for (List<String> cycle : cycles) {
            out.append("\n  cycle: ").append(String.join(" <-> ", cycle));
            for (String from : cycle) {
                for (var to : edges.getOrDefault(from, Map.of()).entrySet()) {
                    if (cycle.contains(to.getKey())) {
                        out.append("\n    ")
                                .append(from)
                                .append(" -> ")
                                .append(to.getKey())
                                .append(": ")
                                .append(to.getValue());
                    }
                }
            }
        }
        return out.toString();
    }
}
