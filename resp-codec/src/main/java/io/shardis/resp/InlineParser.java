package io.shardis.resp;

import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits an inline command line into arguments exactly as Redis' {@code sdssplitargs} does:
 * blanks separate arguments; "double quotes" understand \n \r \t \b \a \\ \" and \xHH;
 * 'single quotes' understand only \'; a closing quote must be followed by a blank or the end.
 * Inline commands are typed by people (telnet, nc), so this is a slow path.
 */
final class InlineParser {

    private InlineParser() {}

    /** The arguments of {@code buf[from, to)}, or null when quotes are unbalanced. */
    static List<byte[]> split(ByteBuf buf, int from, int to) {
        // Redis reads the line as a C string: a NUL byte ends it.
        int nul = buf.indexOf(from, to, (byte) 0);
        if (nul >= 0) {
            to = nul;
        }
        List<byte[]> args = new ArrayList<>();
        int p = from;
        while (true) {
            while (p < to && isSpace(buf.getByte(p))) {
                p++;
            }
            if (p >= to) {
                return args;
            }
            ByteArrayOutputStream current = new ByteArrayOutputStream();
            boolean inDouble = false;
            boolean inSingle = false;
            boolean done = false;
            while (!done) {
                if (inDouble) {
                    if (p >= to) {
                        return null;
                    }
                    byte c = buf.getByte(p);
                    if (c == '\\'
                            && p + 3 < to
                            && buf.getByte(p + 1) == 'x'
                            && isHex(buf.getByte(p + 2))
                            && isHex(buf.getByte(p + 3))) {
                        current.write(hex(buf.getByte(p + 2)) * 16 + hex(buf.getByte(p + 3)));
                        p += 3;
                    } else if (c == '\\' && p + 1 < to) {
                        p++;
                        current.write(unescape(buf.getByte(p)));
                    } else if (c == '"') {
                        // The closing quote must be followed by a blank or nothing.
                        if (p + 1 < to && !isSpace(buf.getByte(p + 1))) {
                            return null;
                        }
                        done = true;
                    } else {
                        current.write(c);
                    }
                } else if (inSingle) {
                    if (p >= to) {
                        return null;
                    }
                    byte c = buf.getByte(p);
                    if (c == '\\' && p + 1 < to && buf.getByte(p + 1) == '\'') {
                        p++;
                        current.write('\'');
                    } else if (c == '\'') {
                        if (p + 1 < to && !isSpace(buf.getByte(p + 1))) {
                            return null;
                        }
                        done = true;
                    } else {
                        current.write(c);
                    }
                } else {
                    if (p >= to) {
                        done = true;
                        continue;
                    }
                    byte c = buf.getByte(p);
                    switch (c) {
                        case ' ', '\n', '\r', '\t' -> done = true;
                        case '"' -> inDouble = true;
                        case '\'' -> inSingle = true;
                        default -> current.write(c);
                    }
                }
                if (p < to) {
                    p++;
                }
            }
            args.add(current.toByteArray());
        }
    }

    private static int unescape(byte c) {
        return switch (c) {
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            case 'b' -> '\b';
            case 'a' -> 7;
            default -> c;
        };
    }

    /** sdssplitargs treats isspace() characters as separators: space, \t \n \v \f \r. */
    private static boolean isSpace(byte c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0B || c == '\f';
    }

    private static boolean isHex(byte c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static int hex(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        return (c | 0x20) - 'a' + 10;
    }
}
