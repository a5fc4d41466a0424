package io.shardis.proxy.session;

import io.shardis.resp.RespCommand;

/** Turns client-supplied bytes into text that is safe to put in an error line or a log. */
final class Names {

    private static final int MAX = 128;

    private Names() {}

    static String printable(RespCommand command, int arg) {
        int length = Math.min(command.argLength(arg), MAX);
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            int b = command.argByte(arg, i) & 0xFF;
            out.append(b >= 0x20 && b < 0x7F && b != '\'' ? (char) b : '?');
        }
        if (command.argLength(arg) > MAX) {
            out.append("...");
        }
        return out.toString();
    }
}
