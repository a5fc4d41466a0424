package io.shardis.proxy.session;

import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * Which clients a {@code CLIENT KILL} closes, read as Redis 7.0 reads it: the old form
 * {@code CLIENT KILL addr} (which may kill the caller itself), or filters {@code ID}, {@code ADDR},
 * {@code LADDR}, {@code USER}, {@code TYPE} and {@code SKIPME} in any order, each followed by its
 * value, a later one of a kind replacing an earlier one. Errors are Redis' words.
 *
 * @param oldForm whether the client used {@code CLIENT KILL addr} (answered {@code +OK} or
 *                {@code -ERR No such client}) rather than filters (answered with a count)
 */
record ClientKillFilter(boolean oldForm, long id, String addr, String laddr, String user, String type, boolean skipMe) {

    /** A parse that failed: the error to answer. */
    record Refusal(String error) {}

    /**
     * @param args       the arguments after {@code CLIENT KILL}
     * @param userExists whether the pool knows a user by this name
     * @return a {@link ClientKillFilter} or a {@link Refusal}
     */
    static Object parse(List<String> args, Predicate<String> userExists) {
        if (args.size() == 1) {
            return new ClientKillFilter(true, 0, args.get(0), null, null, null, false);
        }
        long id = 0;
        String addr = null;
        String laddr = null;
        String user = null;
        String type = null;
        boolean skipMe = true;
        for (int i = 0; i < args.size(); i += 2) {
            if (i + 1 >= args.size()) {
                return new Refusal(Refusals.SYNTAX);
            }
            String value = args.get(i + 1);
            switch (args.get(i).toLowerCase(Locale.ROOT)) {
                case "id" -> {
                    id = positiveLong(value);
                    if (id <= 0) {
                        return new Refusal(Refusals.CLIENT_ID_NOT_POSITIVE);
                    }
                }
                case "type" -> {
                    type = typeNamed(value);
                    if (type == null) {
                        return new Refusal(Refusals.unknownClientType(value));
                    }
                }
                case "addr" -> addr = value;
                case "laddr" -> laddr = value;
                case "user" -> {
                    if (!userExists.test(value)) {
                        return new Refusal(Refusals.noSuchUser(value));
                    }
                    user = value;
                }
                case "skipme" -> {
                    if (value.equalsIgnoreCase("yes")) {
                        skipMe = true;
                    } else if (value.equalsIgnoreCase("no")) {
                        skipMe = false;
                    } else {
                        return new Refusal(Refusals.SYNTAX);
                    }
                }
                default -> {
                    return new Refusal(Refusals.SYNTAX);
                }
            }
        }
        return new ClientKillFilter(false, id, addr, laddr, user, type, skipMe);
    }

    /** Redis' client type names ({@code slave} is {@code replica}); null for one it does not know. */
    static String typeNamed(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "normal" -> "normal";
            case "pubsub" -> "pubsub";
            case "replica", "slave" -> "replica";
            case "master" -> "master";
            default -> null;
        };
    }

    /** Whether {@code entry} is to be closed, {@code self} being the client that sent the command. */
    boolean matches(ClientEntry entry, ClientEntry self) {
        if (oldForm) {
            return entry.addr().equals(addr);
        }
        return (id == 0 || entry.id() == id)
                && (addr == null || entry.addr().equals(addr))
                && (laddr == null || entry.laddr().equals(laddr))
                && (user == null || user.equals(entry.user()))
                && (type == null || type.equals(entry.type()))
                && !(skipMe && entry == self);
    }

    /** A decimal long, or -1 when it is not one (Redis' range check then fails too). */
    private static long positiveLong(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
