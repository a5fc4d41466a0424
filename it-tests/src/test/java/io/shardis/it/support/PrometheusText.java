package io.shardis.it.support;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4), for checking what
 * {@code /metrics} serves: it throws on anything a Prometheus server would reject or that breaks
 * the format's rules, rather than skipping it.
 *
 * <p>Checked: every line is a {@code # HELP}, a {@code # TYPE} or a sample; names and label names
 * are valid; label values are quoted with only the allowed escapes; every sample belongs to the
 * family TYPE'd just before it (counters as {@code _total}, histograms as {@code _bucket},
 * {@code _sum}, {@code _count}) and families are not split; no family is TYPE'd twice and no series
 * appears twice; values are numbers; a histogram's buckets are cumulative, end with
 * {@code le="+Inf"}, and that bucket equals its {@code _count}.
 */
public final class PrometheusText {

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    /** One series: its sample name, labels (sorted) and value. */
    public record Sample(String name, Map<String, String> labels, double value) {}

    /** A family: its TYPE and samples. */
    public record Family(String name, String type, List<Sample> samples) {}

    private final Map<String, Family> families;

    private PrometheusText(Map<String, Family> families) {
        this.families = families;
    }

    public Map<String, Family> families() {
        return families;
    }

    /** Every sample name served ({@code shardis_requests_total}, {@code ..._bucket}...). */
    public Set<String> sampleNames() {
        Set<String> names = new HashSet<>();
        for (Family family : families.values()) {
            for (Sample sample : family.samples()) {
                names.add(sample.name());
            }
        }
        return names;
    }

    /** The value of the series {@code name} whose labels include {@code labels} (pairs); fails unless exactly one. */
    public double value(String name, String... labels) {
        List<Sample> found = samples(name, labels);
        if (found.size() != 1) {
            throw new AssertionError(found.size() + " series " + name + " with " + List.of(labels) + ": " + found);
        }
        return found.get(0).value();
    }

    /** The value of the series, or 0 when it is absent. */
    public double valueOrZero(String name, String... labels) {
        List<Sample> found = samples(name, labels);
        return found.isEmpty() ? 0 : value(name, labels);
    }

    /** The sum over every series {@code name} whose labels include {@code labels}. */
    public double sum(String name, String... labels) {
        return samples(name, labels).stream().mapToDouble(Sample::value).sum();
    }

    public List<Sample> samples(String name, String... labels) {
        List<Sample> found = new ArrayList<>();
        for (Family family : families.values()) {
            for (Sample sample : family.samples()) {
                if (sample.name().equals(name) && matches(sample.labels(), labels)) {
                    found.add(sample);
                }
            }
        }
        return found;
    }

    private static boolean matches(Map<String, String> have, String... want) {
        for (int i = 0; i < want.length; i += 2) {
            if (!want[i + 1].equals(have.get(want[i]))) {
                return false;
            }
        }
        return true;
    }

    /** Parses {@code text}; throws {@link IllegalArgumentException} naming the line at fault. */
    public static PrometheusText parse(String text) {
        Map<String, Family> families = new LinkedHashMap<>();
        Set<String> helped = new HashSet<>();
        Set<String> series = new HashSet<>();
        Family current = null;
        String[] lines = text.split("\n", -1);
        if (!text.endsWith("\n")) {
            throw new IllegalArgumentException("the exposition does not end with a line feed");
        }
        for (int n = 0; n < lines.length - 1; n++) {
            String line = lines[n];
            String where = "line " + (n + 1) + " '" + line + "': ";
            if (line.isEmpty()) {
                throw new IllegalArgumentException(where + "empty line");
            }
            if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
                String[] words = line.substring(7).split(" ", 2);
                String name = words[0];
                if (!NAME.matcher(name).matches()) {
                    throw new IllegalArgumentException(where + "invalid metric name");
                }
                if (line.startsWith("# HELP ")) {
                    if (!helped.add(name)) {
                        throw new IllegalArgumentException(where + "second HELP for " + name);
                    }
                    continue;
                }
                if (words.length != 2 || !TYPES.contains(words[1])) {
                    throw new IllegalArgumentException(where + "unknown type");
                }
                if (families.containsKey(name)) {
                    throw new IllegalArgumentException(where + "family " + name + " TYPE'd twice (split family)");
                }
                current = new Family(name, words[1], new ArrayList<>());
                families.put(name, current);
                continue;
            }
            if (line.startsWith("#")) {
                throw new IllegalArgumentException(where + "a comment that is neither HELP nor TYPE");
            }
            Sample sample = sample(line, where);
            if (current == null || !belongs(sample.name(), current)) {
                throw new IllegalArgumentException(where + "sample outside its family's TYPE block");
            }
            if (!series.add(sample.name() + sample.labels())) {
                throw new IllegalArgumentException(where + "duplicate series");
            }
            current.samples().add(sample);
        }
        for (Family family : families.values()) {
            if (family.type().equals("histogram")) {
                checkHistogram(family);
            }
        }
        return new PrometheusText(families);
    }

    private static boolean belongs(String sample, Family family) {
        String name = family.name();
        return switch (family.type()) {
            case "counter" ->
                sample.equals(name.endsWith("_total") ? name : name + "_total")
                        || sample.equals(name.replaceAll("_total$", "") + "_created");
            case "histogram" ->
                sample.equals(name + "_bucket")
                        || sample.equals(name + "_sum")
                        || sample.equals(name + "_count")
                        || sample.equals(name + "_created");
            case "summary" ->
                sample.equals(name)
                        || sample.equals(name + "_sum")
                        || sample.equals(name + "_count")
                        || sample.equals(name + "_created");
            default -> sample.equals(name);
        };
    }

    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (\\S+)( -?\\d+)?");

    private static Sample sample(String line, String where) {
        Matcher m = SAMPLE.matcher(line);
        if (!m.matches()) {
            throw new IllegalArgumentException(where + "not a sample line");
        }
        Map<String, String> labels = m.group(3) == null ? Map.of() : labels(m.group(3), where);
        return new Sample(m.group(1), labels, number(m.group(4), where));
    }

    private static Map<String, String> labels(String text, String where) {
        Map<String, String> labels = new TreeMap<>();
        int i = 0;
        while (i < text.length()) {
            int eq = text.indexOf('=', i);
            if (eq < 0) {
                throw new IllegalArgumentException(where + "label without '='");
            }
            String name = text.substring(i, eq);
            if (!LABEL_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException(where + "invalid label name '" + name + "'");
            }
            if (eq + 1 >= text.length() || text.charAt(eq + 1) != '"') {
                throw new IllegalArgumentException(where + "unquoted label value");
            }
            StringBuilder value = new StringBuilder();
            int j = eq + 2;
            for (; j < text.length() && text.charAt(j) != '"'; j++) {
                char c = text.charAt(j);
                if (c == '\\') {
                    char next = j + 1 < text.length() ? text.charAt(++j) : ' ';
                    switch (next) {
                        case '\\' -> value.append('\\');
                        case '"' -> value.append('"');
                        case 'n' -> value.append('\n');
                        default -> throw new IllegalArgumentException(where + "bad escape \\" + next);
                    }
                } else {
                    value.append(c);
                }
            }
            if (j >= text.length()) {
                throw new IllegalArgumentException(where + "unterminated label value");
            }
            if (labels.put(name, value.toString()) != null) {
                throw new IllegalArgumentException(where + "label " + name + " twice");
            }
            i = j + 1;
            if (i < text.length()) {
                if (text.charAt(i) != ',') {
                    throw new IllegalArgumentException(where + "expected ',' between labels");
                }
                i++;
            }
        }
        return labels;
    }

    private static double number(String text, String where) {
        switch (text) {
            case "+Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            case "NaN":
                return Double.NaN;
            default:
                try {
                    return Double.parseDouble(text);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(where + "value '" + text + "' is not a number");
                }
        }
    }

    private static void checkHistogram(Family family) {
        Map<Map<String, String>, List<Sample>> buckets = new LinkedHashMap<>();
        Map<Map<String, String>, Double> counts = new LinkedHashMap<>();
        for (Sample sample : family.samples()) {
            if (sample.name().endsWith("_bucket")) {
                Map<String, String> rest = new TreeMap<>(sample.labels());
                if (rest.remove("le") == null) {
                    throw new IllegalArgumentException(family.name() + ": a bucket without le");
                }
                buckets.computeIfAbsent(rest, k -> new ArrayList<>()).add(sample);
            } else if (sample.name().endsWith("_count")) {
                counts.put(sample.labels(), sample.value());
            }
        }
        for (Map.Entry<Map<String, String>, List<Sample>> entry : buckets.entrySet()) {
            double previousBound = Double.NEGATIVE_INFINITY;
            double previousCount = 0;
            List<Sample> list = entry.getValue();
            for (Sample bucket : list) {
                double bound = number(bucket.labels().get("le"), family.name() + " le: ");
                if (bound <= previousBound || bucket.value() < previousCount) {
                    throw new IllegalArgumentException(family.name() + entry.getKey() + ": buckets not cumulative");
                }
                previousBound = bound;
                previousCount = bucket.value();
            }
            if (previousBound != Double.POSITIVE_INFINITY) {
                throw new IllegalArgumentException(family.name() + entry.getKey() + ": no +Inf bucket");
            }
            Double count = counts.get(entry.getKey());
            if (count == null || count != previousCount) {
                throw new IllegalArgumentException(family.name() + entry.getKey() + ": +Inf bucket " + previousCount
                        + " differs from _count " + count);
            }
        }
    }
}
