package io.shardis.proxy.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.configuration2.interpol.ConfigurationInterpolator;
import org.apache.commons.configuration2.interpol.DefaultLookups;
import org.apache.commons.configuration2.interpol.InterpolatorSpecification;
import org.apache.commons.configuration2.interpol.Lookup;

/**
 * Values taken from outside the file, so that secrets need not be written in it: {@code ${env:NAME}}
 * is the environment variable NAME, {@code ${file:PATH}} the content of the file PATH without its
 * final line break (a Kubernetes or systemd credential, a Docker secret). Interpolation is Apache
 * Commons Configuration's; only these two lookups are registered, so a value cannot run scripts or
 * reach the network as other lookups could, and {@code $${...}} writes a literal {@code ${...}}.
 * Files are read again at each reload, so a rotated secret is taken up by SIGHUP.
 */
final class Interpolation {

    /** A failed lookup; its message names the variable or file, never a value. */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;

        Failure(String message) {
            super(message);
        }
    }

    private static final Pattern LEFT = Pattern.compile("\\$\\{(env|file):([^}]*)}");

    private static final Lookup FILE = key -> {
        try {
            String text = Files.readString(Path.of(key), StandardCharsets.UTF_8);
            if (text.endsWith("\n")) {
                text = text.substring(0, text.length() - (text.endsWith("\r\n") ? 2 : 1));
            }
            return text;
        } catch (IOException | RuntimeException e) {
            return null; // reported below, as a variable left unresolved
        }
    };

    private static final ConfigurationInterpolator INTERPOLATOR =
            ConfigurationInterpolator.fromSpecification(new InterpolatorSpecification.Builder()
                    .withPrefixLookup("env", DefaultLookups.ENVIRONMENT.getLookup())
                    .withPrefixLookup("file", FILE)
                    .create());

    private Interpolation() {}

    /** {@code value} with its {@code ${env:...}} and {@code ${file:...}} replaced. */
    static String resolve(String value) throws Failure {
        if (value == null || !value.contains("${")) {
            return value;
        }
        Object resolved = INTERPOLATOR.interpolate(value);
        String text = resolved == null ? "" : resolved.toString();
        Matcher left = LEFT.matcher(text);
        if (left.find() && LEFT.matcher(value).find()) {
            throw new Failure(
                    left.group(1).equals("env")
                            ? "environment variable " + left.group(2) + " is not set"
                            : "cannot read the file " + left.group(2) + " (${file:...})");
        }
        return text;
    }
}
