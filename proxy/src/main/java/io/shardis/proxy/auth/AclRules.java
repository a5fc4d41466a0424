package io.shardis.proxy.auth;

import io.shardis.proxy.command.AclCategory;
import io.shardis.proxy.command.CommandSpec;
import io.shardis.proxy.command.CommandTable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Compiles a user's rules, written in Redis' {@code ACL SETUSER} vocabulary, into an
 * {@link AclUser}. Rules apply in order, from a user that is off and may do nothing (as a new
 * Redis 7.0 user with {@code acl-pubsub-default resetchannels}):
 * <ul>
 *   <li>{@code on}, {@code off}; {@code >password}, {@code #<sha256 hex>}, {@code <password} and
 *       {@code !<hash>} (remove), {@code nopass}, {@code resetpass};</li>
 *   <li>{@code +command}, {@code -command}, {@code +container|sub}, {@code +@category},
 *       {@code -@category}, {@code allcommands} ({@code +@all}), {@code nocommands} ({@code -@all});</li>
 *   <li>{@code ~pattern}, {@code %R~pattern}, {@code %W~pattern}, {@code %RW~pattern},
 *       {@code allkeys} ({@code ~*}), {@code resetkeys};</li>
 *   <li>{@code &pattern}, {@code allchannels} ({@code &*}), {@code resetchannels}; {@code reset}.</li>
 * </ul>
 * Selectors and first-argument rules ({@code +select|0}) are refused. Error messages never quote
 * a password rule.
 */
public final class AclRules {

    private final CommandTable table;

    public AclRules(CommandTable table) {
        this.table = table;
    }

    /** Splits rules written on one line ({@code "on >s3cret ~cache:* +@read"}) at white space. */
    public static List<String> words(String line) {
        String trimmed = line.trim();
        return trimmed.isEmpty() ? List.of() : List.of(trimmed.split("\\s+"));
    }

    /**
     * @throws IllegalArgumentException naming the faulty rule (its position, and its text unless it
     *                                  holds a password) and why
     */
    public AclUser compile(String name, List<String> rules) {
        if (name.isEmpty() || name.chars().anyMatch(c -> c <= ' ')) {
            throw new IllegalArgumentException("a user name may not be empty or contain spaces");
        }
        Builder user = new Builder();
        for (int i = 0; i < rules.size(); i++) {
            String rule = rules.get(i);
            try {
                user.apply(rule);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "rule " + (i + 1) + (holdsSecret(rule) ? "" : " '" + rule + "'") + ": " + e.getMessage(), e);
            }
        }
        return user.build(name);
    }

    private static boolean holdsSecret(String rule) {
        return !rule.isEmpty()
                && (rule.charAt(0) == '>' || rule.charAt(0) == '<' || rule.charAt(0) == '#' || rule.charAt(0) == '!');
    }

    private final class Builder {
        private boolean enabled;
        private boolean nopass;
        private final List<byte[]> hashes = new ArrayList<>();
        private final Set<CommandSpec> commands = Collections.newSetFromMap(new IdentityHashMap<>());
        private boolean allKeys;
        private final List<AclUser.KeyPattern> keys = new ArrayList<>();
        private boolean allChannels;
        private final List<byte[]> channels = new ArrayList<>();

        void apply(String rule) {
            String lower = rule.toLowerCase(Locale.ROOT);
            switch (lower) {
                case "on" -> enabled = true;
                case "off" -> enabled = false;
                case "nopass" -> {
                    nopass = true;
                    hashes.clear();
                }
                case "resetpass" -> {
                    nopass = false;
                    hashes.clear();
                }
                case "allcommands", "+@all" -> commands.addAll(table.all());
                case "nocommands", "-@all" -> commands.clear();
                case "allkeys", "~*" -> {
                    allKeys = true;
                    keys.clear();
                }
                case "resetkeys" -> {
                    allKeys = false;
                    keys.clear();
                }
                case "allchannels", "&*" -> {
                    allChannels = true;
                    channels.clear();
                }
                case "resetchannels" -> {
                    allChannels = false;
                    channels.clear();
                }
                case "reset" -> {
                    apply("resetpass");
                    apply("resetkeys");
                    apply("resetchannels");
                    apply("off");
                    apply("-@all");
                }
                default -> applyWithArgument(rule);
            }
        }

        private void applyWithArgument(String rule) {
            char first = rule.isEmpty() ? ' ' : rule.charAt(0);
            String rest = rule.isEmpty() ? "" : rule.substring(1);
            switch (first) {
                case '>' -> {
                    hashes.add(AclUser.sha256(rest));
                    nopass = false;
                }
                case '<' -> removeHash(AclUser.sha256(rest));
                case '#' -> {
                    hashes.add(hexHash(rest));
                    nopass = false;
                }
                case '!' -> removeHash(hexHash(rest));
                case '~' -> keyPattern(rest, CommandSpec.KEY_READ | CommandSpec.KEY_WRITE);
                case '%' -> {
                    int tilde = rest.indexOf('~');
                    if (tilde < 1) {
                        throw new IllegalArgumentException("expected %R~pattern, %W~pattern or %RW~pattern");
                    }
                    int access = 0;
                    for (char c :
                            rest.substring(0, tilde).toUpperCase(Locale.ROOT).toCharArray()) {
                        access |= switch (c) {
                            case 'R' -> CommandSpec.KEY_READ;
                            case 'W' -> CommandSpec.KEY_WRITE;
                            default -> throw new IllegalArgumentException("key permissions are R and W");
                        };
                    }
                    keyPattern(rest.substring(tilde + 1), access);
                }
                case '&' -> {
                    if (!allChannels) {
                        channels.add(rest.getBytes(StandardCharsets.UTF_8));
                    }
                }
                case '+', '-' -> command(first == '+', rest);
                case '(' -> throw new IllegalArgumentException("selectors are not supported by Shardis");
                default ->
                    throw new IllegalArgumentException(
                            "Syntax error in ACL SETUSER modifier"
                                    + " (expected on, off, >password, #hash, nopass, ~keys, %R~keys, &channels, +command,"
                                    + " -command, +@category, -@category, allkeys, allchannels, allcommands, nocommands, reset...)");
            }
        }

        private void keyPattern(String pattern, int access) {
            if (pattern.equals("*") && access == (CommandSpec.KEY_READ | CommandSpec.KEY_WRITE)) {
                allKeys = true;
                keys.clear();
            } else if (!allKeys) {
                keys.add(new AclUser.KeyPattern(pattern.getBytes(StandardCharsets.UTF_8), access));
            }
        }

        private void removeHash(byte[] hash) {
            hashes.removeIf(h -> java.security.MessageDigest.isEqual(h, hash));
        }

        private byte[] hexHash(String hex) {
            if (hex.length() != 64 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                throw new IllegalArgumentException("a password hash is 64 hexadecimal digits (SHA-256)");
            }
            return HexFormat.of().parseHex(hex.toLowerCase(Locale.ROOT));
        }

        private void command(boolean allow, String name) {
            List<CommandSpec> matched = new ArrayList<>();
            if (name.startsWith("@")) {
                AclCategory category = AclCategory.named(name.toLowerCase(Locale.ROOT));
                if (category == null) {
                    throw new IllegalArgumentException("Unknown command or category name in ACL");
                }
                for (CommandSpec spec : table.all()) {
                    if (spec.in(category)) {
                        matched.add(spec);
                    }
                }
            } else {
                CommandSpec spec = table.lookup(name);
                if (spec == null) {
                    throw new IllegalArgumentException(
                            name.indexOf('|') > 0 && table.lookup(name.substring(0, name.indexOf('|'))) != null
                                    ? "first-argument rules (+select|0) are not supported by Shardis; name a subcommand or the command"
                                    : "Unknown command or category name in ACL");
                }
                matched.add(spec);
                if (name.indexOf('|') < 0) {
                    // A container stands for every subcommand, as in Redis.
                    for (CommandSpec candidate : table.all()) {
                        if (candidate != spec && candidate.containerName().equals(spec.name())) {
                            matched.add(candidate);
                        }
                    }
                }
            }
            if (allow) {
                commands.addAll(matched);
            } else {
                matched.forEach(commands::remove);
            }
        }

        AclUser build(String name) {
            boolean all = commands.size() == table.all().size();
            return new AclUser(
                    name, enabled, nopass, hashes, all ? null : commands, allKeys, keys, allChannels, channels);
        }
    }
}
