package io.shardis.proxy.command;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Regenerates {@code commands.tsv} from a running redis-server, from the server's own
 * {@code COMMAND INFO} and {@code COMMAND DOCS} replies. Depends on the JDK alone so that it runs
 * with the single-file source launcher:
 *
 * <pre>
 * java proxy/src/test/java/io/shardis/proxy/command/CommandTableGenerator.java 127.0.0.1 6379 \
 *     &gt; proxy/src/main/resources/io/shardis/proxy/command/commands.tsv
 * </pre>
 *
 * Review the diff afterwards: a new command needs a routing line in {@code routing.tsv}, and a new
 * flag needs a {@link CommandFlag} constant, or the table refuses to load.
 */
public final class CommandTableGenerator {

    private CommandTableGenerator() {}

    public static void main(String[] args) throws IOException {
        String host = args.length > 0 ? args[0] : "127.0.0.1";
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 6379;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 5_000);
            socket.setSoTimeout(10_000);
            MiniClient client = new MiniClient(socket.getInputStream(), socket.getOutputStream());
            String version = serverVersion((String) client.call("INFO", "server"));
            List<?> infos = (List<?>) client.call("COMMAND");
            List<?> docs = (List<?>) client.call("COMMAND", "DOCS");
            PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
            write(out, version, infos, docs);
            out.flush();
        }
    }

    static void write(PrintStream out, String version, List<?> infos, List<?> docs) {
        Map<String, Map<String, Object>> docsByName = new HashMap<>();
        collectDocs(docs, docsByName);
        Map<String, List<?>> sorted = new TreeMap<>();
        for (Object info : infos) {
            List<?> command = (List<?>) info;
            sorted.put(((String) command.get(0)).toLowerCase(Locale.ROOT), command);
        }
        out.println("# Redis commands as redis-server " + version + " describes them (COMMAND and COMMAND DOCS).");
        out.println(
                "# Generated: java proxy/src/test/java/io/shardis/proxy/command/CommandTableGenerator.java HOST PORT > commands.tsv");
        out.println("# Do not edit by hand: Shardis' own decisions (routing, DANGEROUS) live in routing.tsv.");
        out.println("# key_specs: [spec flags]begin_search find_keys per spec, space separated, where begin_search is");
        out.println("#   index(pos) | keyword(KEYWORD,startfrom) | unknown() and find_keys is");
        out.println("#   range(lastkey,keystep,limit) | keynum(keynumidx,firstkey,keystep) | unknown().");
        out.println(
                "# key_spec_notes: each key spec's notes (COMMAND INFO shows them), in spec order, ' | ' between them.");
        out.println("# A '-' stands for an empty column.");
        out.println(
                "#name\tarity\tflags\tfirst\tlast\tstep\tkey_specs\tacl_categories\ttips\tgroup\tsince\tkey_spec_notes");
        for (List<?> command : sorted.values()) {
            writeCommand(out, command, docsByName);
            if (command.size() > 9 && command.get(9) instanceof List<?> subcommands) {
                Map<String, List<?>> sortedSubs = new TreeMap<>();
                for (Object sub : subcommands) {
                    List<?> subcommand = (List<?>) sub;
                    sortedSubs.put(((String) subcommand.get(0)).toLowerCase(Locale.ROOT), subcommand);
                }
                for (List<?> subcommand : sortedSubs.values()) {
                    writeCommand(out, subcommand, docsByName);
                }
            }
        }
    }

    private static void writeCommand(PrintStream out, List<?> command, Map<String, Map<String, Object>> docs) {
        String name = ((String) command.get(0)).toLowerCase(Locale.ROOT);
        Map<String, Object> doc = docs.getOrDefault(name, Map.of());
        List<String> columns = new ArrayList<>();
        columns.add(name);
        columns.add(String.valueOf(command.get(1)));
        columns.add(joined((List<?>) command.get(2)));
        columns.add(String.valueOf(command.get(3)));
        columns.add(String.valueOf(command.get(4)));
        columns.add(String.valueOf(command.get(5)));
        columns.add(keySpecs((List<?>) command.get(8)));
        columns.add(joined((List<?>) command.get(6)));
        columns.add(joined((List<?>) command.get(7)));
        columns.add(String.valueOf(doc.getOrDefault("group", "-")));
        columns.add(String.valueOf(doc.getOrDefault("since", "-")));
        columns.add(keySpecNotes((List<?>) command.get(8)));
        out.println(String.join("\t", columns));
    }

    private static String keySpecNotes(List<?> specs) {
        List<String> notes = new ArrayList<>();
        boolean any = false;
        for (Object item : specs) {
            Object note = pairs((List<?>) item).get("notes");
            notes.add(note == null ? "" : String.valueOf(note));
            any |= note != null;
        }
        return any ? String.join(" | ", notes) : "-";
    }

    private static String keySpecs(List<?> specs) {
        if (specs.isEmpty()) {
            return "-";
        }
        StringBuilder text = new StringBuilder();
        for (Object item : specs) {
            Map<String, Object> spec = pairs((List<?>) item);
            if (text.length() > 0) {
                text.append(' ');
            }
            text.append('[')
                    .append(String.join(",", strings((List<?>) spec.get("flags"))))
                    .append(']');
            Map<String, Object> begin = pairs((List<?>) spec.get("begin_search"));
            Map<String, Object> beginSpec = pairs((List<?>) begin.get("spec"));
            switch ((String) begin.get("type")) {
                case "index" ->
                    text.append("index(").append(beginSpec.get("index")).append(')');
                case "keyword" ->
                    text.append("keyword(")
                            .append(beginSpec.get("keyword"))
                            .append(',')
                            .append(beginSpec.get("startfrom"))
                            .append(')');
                default -> text.append("unknown()");
            }
            Map<String, Object> find = pairs((List<?>) spec.get("find_keys"));
            Map<String, Object> findSpec = pairs((List<?>) find.get("spec"));
            switch ((String) find.get("type")) {
                case "range" ->
                    text.append("range(")
                            .append(findSpec.get("lastkey"))
                            .append(',')
                            .append(findSpec.get("keystep"))
                            .append(',')
                            .append(findSpec.get("limit"))
                            .append(')');
                case "keynum" ->
                    text.append("keynum(")
                            .append(findSpec.get("keynumidx"))
                            .append(',')
                            .append(findSpec.get("firstkey"))
                            .append(',')
                            .append(findSpec.get("keystep"))
                            .append(')');
                default -> text.append("unknown()");
            }
        }
        return text.toString();
    }

    private static void collectDocs(List<?> flatMap, Map<String, Map<String, Object>> into) {
        for (int i = 0; i + 1 < flatMap.size(); i += 2) {
            String name = ((String) flatMap.get(i)).toLowerCase(Locale.ROOT);
            Map<String, Object> doc = pairs((List<?>) flatMap.get(i + 1));
            into.put(name, doc);
            if (doc.get("subcommands") instanceof List<?> subcommands) {
                collectDocs(subcommands, into);
            }
        }
    }

    private static Map<String, Object> pairs(List<?> flat) {
        Map<String, Object> map = new HashMap<>();
        if (flat == null) {
            return map;
        }
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            map.put((String) flat.get(i), flat.get(i + 1));
        }
        return map;
    }

    private static List<String> strings(List<?> list) {
        List<String> out = new ArrayList<>();
        if (list != null) {
            for (Object item : list) {
                out.add(String.valueOf(item));
            }
        }
        return out;
    }

    private static String joined(List<?> list) {
        List<String> items = strings(list);
        return items.isEmpty() ? "-" : String.join(",", items).toLowerCase(Locale.ROOT);
    }

    private static String serverVersion(String info) {
        for (String line : info.split("\r\n")) {
            if (line.startsWith("redis_version:")) {
                return line.substring("redis_version:".length());
            }
        }
        return "(unknown version)";
    }

    /** Just enough RESP2 to send a command and read a nested reply. */
    static final class MiniClient {
        private final InputStream in;
        private final OutputStream out;

        MiniClient(InputStream in, OutputStream out) {
            this.in = new BufferedInputStream(in);
            this.out = new BufferedOutputStream(out);
        }

        Object call(String... args) throws IOException {
            StringBuilder request =
                    new StringBuilder().append('*').append(args.length).append("\r\n");
            for (String arg : args) {
                byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
                request.append('$')
                        .append(bytes.length)
                        .append("\r\n")
                        .append(arg)
                        .append("\r\n");
            }
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            return read();
        }

        private Object read() throws IOException {
            int type = in.read();
            String line = line();
            switch (type) {
                case '+':
                    return line;
                case '-':
                    throw new IOException("server error: " + line);
                case ':':
                    return Long.parseLong(line);
                case '$': {
                    int length = Integer.parseInt(line);
                    if (length < 0) {
                        return null;
                    }
                    byte[] bytes = in.readNBytes(length + 2);
                    return new String(bytes, 0, length, StandardCharsets.UTF_8);
                }
                case '*': {
                    int count = Integer.parseInt(line);
                    if (count < 0) {
                        return null;
                    }
                    List<Object> items = new ArrayList<>(count);
                    for (int i = 0; i < count; i++) {
                        items.add(read());
                    }
                    return items;
                }
                default:
                    throw new IOException("unexpected reply type " + type);
            }
        }

        private String line() throws IOException {
            StringBuilder text = new StringBuilder();
            int c;
            while ((c = in.read()) != '\r') {
                if (c < 0) {
                    throw new UncheckedIOException(new IOException("connection closed"));
                }
                text.append((char) c);
            }
            in.read();
            return text.toString();
        }
    }
}
