package io.shardis.proxy.command;

import io.shardis.resp.RespCommand;
import io.shardis.resp.RespValue;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Redis 7 key specification, read the way Redis' {@code getKeysUsingKeySpecs} reads it: a
 * begin search (a fixed index, or a keyword searched from {@code startfrom}) then a find-keys rule
 * (a range up to {@code lastkey}, or a count found at {@code keynumidx}).
 *
 * <p>Where this reading is stricter than Redis (it answers "malformed" rather than "no keys" for a
 * key count that is not a number, is negative or exceeds the arguments, and for an unbalanced
 * range such as {@code MSET k v k2} or {@code XREAD STREAMS a b 1}), it is so that the proxy answers
 * an error instead of forwarding a request it cannot route. Where it is more lenient (a trailing
 * key list that starts just past the last argument is empty, not malformed, so {@code PFMERGE dst}
 * has one key), it follows what the command accepts. A specification Redis itself marks
 * {@code unknown} contributes no key.
 */
final class KeySpec {

    private static final Pattern TEXT =
            Pattern.compile("\\[([^\\]]*)\\](index|keyword|unknown)\\(([^)]*)\\)(range|keynum|unknown)\\(([^)]*)\\)");

    /** Result of {@link #firstKey}: the keyword was not there, so this spec names no key. */
    private static final int ABSENT = -2;

    private enum Begin {
        INDEX,
        KEYWORD,
        UNKNOWN
    }

    private enum Find {
        RANGE,
        KEYNUM,
        UNKNOWN
    }

    private final String text;
    private final List<String> flags;
    private final Begin begin;
    private final int index;
    private final String keyword;
    private final int startFrom;
    private final Find find;
    private final int lastKey;
    private final int keyStep;
    private final int limit;
    private final int keyNumIndex;
    private final int firstKey;

    private KeySpec(
            String text,
            List<String> flags,
            Begin begin,
            int index,
            String keyword,
            int startFrom,
            Find find,
            int lastKey,
            int keyStep,
            int limit,
            int keyNumIndex,
            int firstKey) {
        this.text = text;
        this.flags = flags;
        this.begin = begin;
        this.index = index;
        this.keyword = keyword;
        this.startFrom = startFrom;
        this.find = find;
        this.lastKey = lastKey;
        this.keyStep = keyStep;
        this.limit = limit;
        this.keyNumIndex = keyNumIndex;
        this.firstKey = firstKey;
    }

    /** Parses the specs of one {@code commands.tsv} line: {@code [RO,access]index(1)range(0,1,0) ...}. */
    static List<KeySpec> parseAll(String column) {
        if (column.equals("-")) {
            return List.of();
        }
        Matcher matcher = TEXT.matcher(column);
        java.util.ArrayList<KeySpec> specs = new java.util.ArrayList<>();
        int end = 0;
        while (matcher.find()) {
            if (!column.substring(end, matcher.start()).isBlank()) {
                throw new IllegalArgumentException("bad key spec near '" + column.substring(end) + "'");
            }
            specs.add(parse(matcher));
            end = matcher.end();
        }
        if (specs.isEmpty() || !column.substring(end).isBlank()) {
            throw new IllegalArgumentException("bad key spec '" + column + "'");
        }
        return List.copyOf(specs);
    }

    private static KeySpec parse(Matcher m) {
        List<String> flags = m.group(1).isEmpty()
                ? List.of()
                : List.of(m.group(1).toLowerCase(Locale.ROOT).split(","));
        Begin begin = Begin.valueOf(m.group(2).toUpperCase(Locale.ROOT));
        String[] b = m.group(3).split(",", -1);
        int index = 0;
        String keyword = null;
        int startFrom = 0;
        if (begin == Begin.INDEX) {
            index = Integer.parseInt(b[0]);
        } else if (begin == Begin.KEYWORD) {
            keyword = b[0];
            startFrom = Integer.parseInt(b[1]);
        }
        Find find = Find.valueOf(m.group(4).toUpperCase(Locale.ROOT));
        String[] f = m.group(5).split(",", -1);
        int lastKey = 0;
        int keyStep = 1;
        int limit = 0;
        int keyNumIndex = 0;
        int firstKey = 0;
        if (find == Find.RANGE) {
            lastKey = Integer.parseInt(f[0]);
            keyStep = Integer.parseInt(f[1]);
            limit = Integer.parseInt(f[2]);
        } else if (find == Find.KEYNUM) {
            keyNumIndex = Integer.parseInt(f[0]);
            firstKey = Integer.parseInt(f[1]);
            keyStep = Integer.parseInt(f[2]);
        }
        if (keyStep < 1 || (lastKey < 0 && limit > 1 && lastKey != -1)) {
            throw new IllegalArgumentException("unsupported key spec '" + m.group() + "'");
        }
        return new KeySpec(
                m.group(),
                flags,
                begin,
                index,
                keyword,
                startFrom,
                find,
                lastKey,
                keyStep,
                limit,
                keyNumIndex,
                firstKey);
    }

    /** The spec's flags as Redis spells them in COMMAND INFO ({@code RW}, {@code access}...), in its order. */
    List<String> flagNames() {
        String inside = text.substring(1, text.indexOf(']'));
        return inside.isEmpty() ? List.of() : List.of(inside.split(","));
    }

    /** This spec as COMMAND INFO describes it: a map of its notes (if any), flags, begin_search and find_keys. */
    RespValue describe(String notes) {
        List<RespValue> flagValues = new java.util.ArrayList<>();
        for (String flag : flagNames()) {
            flagValues.add(new RespValue.SimpleString(flag));
        }
        RespValue beginSpec = switch (begin) {
            case INDEX -> map("index", new RespValue.Integer(index));
            case KEYWORD ->
                map("keyword", RespValue.BulkString.of(keyword), "startfrom", new RespValue.Integer(startFrom));
            case UNKNOWN -> map();
        };
        RespValue findSpec = switch (find) {
            case RANGE ->
                map(
                        "lastkey",
                        new RespValue.Integer(lastKey),
                        "keystep",
                        new RespValue.Integer(keyStep),
                        "limit",
                        new RespValue.Integer(limit));
            case KEYNUM ->
                map(
                        "keynumidx",
                        new RespValue.Integer(keyNumIndex),
                        "firstkey",
                        new RespValue.Integer(firstKey),
                        "keystep",
                        new RespValue.Integer(keyStep));
            case UNKNOWN -> map();
        };
        RespValue.Map described = map(
                "flags",
                new RespValue.Set(flagValues),
                "begin_search",
                map("type", RespValue.BulkString.of(begin.name().toLowerCase(Locale.ROOT)), "spec", beginSpec),
                "find_keys",
                map("type", RespValue.BulkString.of(find.name().toLowerCase(Locale.ROOT)), "spec", findSpec));
        if (notes == null || notes.isEmpty()) {
            return described;
        }
        List<RespValue.Pair> withNotes = new java.util.ArrayList<>();
        withNotes.add(new RespValue.Pair(RespValue.BulkString.of("notes"), RespValue.BulkString.of(notes)));
        withNotes.addAll(described.entries());
        return new RespValue.Map(withNotes);
    }

    /** A map of bulk-string keys and values, from alternating arguments. */
    static RespValue.Map map(Object... keysAndValues) {
        List<RespValue.Pair> pairs = new java.util.ArrayList<>(keysAndValues.length / 2);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            pairs.add(new RespValue.Pair(
                    RespValue.BulkString.of((String) keysAndValues[i]), (RespValue) keysAndValues[i + 1]));
        }
        return new RespValue.Map(pairs);
    }

    /** True for specs that never yield a key: Redis could not describe them. */
    boolean unknown() {
        return begin == Begin.UNKNOWN || find == Find.UNKNOWN;
    }

    /** True when this spec always yields exactly one key at a fixed position (GET's, SET's). */
    boolean singleFixedKey() {
        return begin == Begin.INDEX && find == Find.RANGE && lastKey == 0;
    }

    /** What a command does with the keys of this spec, for ACL checks (see {@link KeyLocator#keyAccess}). */
    int access() {
        int access = 0;
        if (hasFlag("access")) {
            access |= CommandSpec.KEY_READ;
        }
        if (hasFlag("insert") || hasFlag("delete") || hasFlag("update")) {
            access |= CommandSpec.KEY_WRITE;
        }
        if (hasFlag("not_key")) {
            access |= CommandSpec.NOT_A_KEY;
        }
        return access;
    }

    boolean hasFlag(String flag) {
        return flags.contains(flag);
    }

    int keyStep() {
        return keyStep;
    }

    /**
     * Where this spec's keys lie in {@code command}: {@code (first << 32) | count}, with a count of
     * 0 when the spec names no key here, or {@code -1} when the positions cannot be determined.
     */
    long locate(RespCommand command) {
        if (unknown()) {
            return 0;
        }
        int argc = command.argCount();
        int first = firstKey(command, argc);
        if (first == ABSENT) {
            return 0;
        }
        if (first == argc && begin == Begin.INDEX && find == Find.RANGE && lastKey < 0) {
            return 0; // an optional trailing list left empty: PFMERGE dst
        }
        if (first < 1 || first >= argc) {
            return -1;
        }
        int count = find == Find.RANGE ? rangeCount(first, argc) : 0;
        if (find == Find.KEYNUM) {
            int at = first + keyNumIndex;
            if (at >= argc) {
                return -1;
            }
            long numKeys = command.argAsLong(at);
            if (numKeys < 0 || numKeys > argc) {
                return -1; // also Long.MIN_VALUE: not a number
            }
            first += firstKey;
            if (numKeys > 0 && first + (numKeys - 1) * keyStep >= argc) {
                return -1;
            }
            count = (int) numKeys;
        }
        if (count < 0) {
            return -1;
        }
        return ((long) first << 32) | count;
    }

    private int firstKey(RespCommand command, int argc) {
        if (begin == Begin.INDEX) {
            return index;
        }
        // Redis' keyword search: forwards from startfrom, never on the last argument; or backwards
        // from argc + startfrom down to argument 1.
        if (startFrom > 0) {
            for (int i = startFrom; i < argc - 1; i++) {
                if (command.argEqualsIgnoreCase(i, keyword)) {
                    return i + 1;
                }
            }
        } else {
            for (int i = argc + startFrom; i >= 1; i--) {
                if (i < argc && command.argEqualsIgnoreCase(i, keyword)) {
                    return i + 1;
                }
            }
        }
        return ABSENT;
    }

    private int rangeCount(int first, int argc) {
        int last;
        if (lastKey >= 0) {
            last = first + lastKey;
        } else if (limit <= 1) {
            last = argc + lastKey;
            if (lastKey == -1 && keyStep > 1 && (argc - first) % keyStep != 0) {
                return -1; // a key without its value: MSET k v k2
            }
        } else {
            if ((argc - first) % limit != 0) {
                return -1; // XREAD STREAMS a b 1: not as many ids as streams
            }
            last = first + (argc - first) / limit - 1;
        }
        if (last >= argc || last < first) {
            return -1;
        }
        return (last - first) / keyStep + 1;
    }

    @Override
    public String toString() {
        return text;
    }
}
