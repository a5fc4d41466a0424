package io.shardis.proxy.auth;

import io.netty.buffer.ByteBuf;

/**
 * Redis' glob matching ({@code stringmatchlen} in util.c, case-sensitive), on bytes: {@code *},
 * {@code ?}, {@code [abc]}, {@code [^a-z]}, {@code \} escapes, with Redis' guard against abusive
 * patterns (past 1000 nested stars nothing matches) and its early stop once a star's rest failed
 * everywhere. Matches ACL key patterns ({@code ~cache:*}) and channel patterns ({@code &news.*})
 * exactly as Redis does. Allocates nothing.
 */
public final class Glob {

    private static final int MAX_NESTING = 1000;

    private Glob() {}

    /** Whether {@code pattern} matches the {@code length} bytes of {@code subject} from {@code offset}. */
    static boolean matches(byte[] pattern, ByteBuf subject, int offset, int length) {
        return match(pattern, 0, pattern.length, subject, offset, length, new boolean[1], 0);
    }

    /** Whether {@code pattern} matches all of {@code subject}. */
    public static boolean matches(byte[] pattern, byte[] subject) {
        return matches(pattern, io.netty.buffer.Unpooled.wrappedBuffer(subject), 0, subject.length);
    }

    private static boolean match(
            byte[] pattern,
            int p,
            int patternLen,
            ByteBuf s,
            int si,
            int stringLen,
            boolean[] skipLongerMatches,
            int nesting) {
        if (nesting > MAX_NESTING) {
            return false;
        }
        while (patternLen > 0 && stringLen > 0) {
            switch (pattern[p]) {
                case '*' -> {
                    while (patternLen > 1 && pattern[p + 1] == '*') {
                        p++;
                        patternLen--;
                    }
                    if (patternLen == 1) {
                        return true;
                    }
                    while (stringLen > 0) {
                        if (match(pattern, p + 1, patternLen - 1, s, si, stringLen, skipLongerMatches, nesting + 1)) {
                            return true;
                        }
                        if (skipLongerMatches[0]) {
                            return false;
                        }
                        si++;
                        stringLen--;
                    }
                    skipLongerMatches[0] = true;
                    return false;
                }
                case '?' -> {
                    si++;
                    stringLen--;
                }
                case '[' -> {
                    p++;
                    patternLen--;
                    boolean not = patternLen > 0 && pattern[p] == '^';
                    if (not) {
                        p++;
                        patternLen--;
                    }
                    boolean matched = false;
                    byte c = s.getByte(si);
                    while (true) {
                        if (patternLen >= 2 && pattern[p] == '\\') {
                            p++;
                            patternLen--;
                            if (pattern[p] == c) {
                                matched = true;
                            }
                        } else if (patternLen == 0) {
                            p--;
                            patternLen++;
                            break;
                        } else if (pattern[p] == ']') {
                            break;
                        } else if (patternLen >= 3 && pattern[p + 1] == '-') {
                            int start = pattern[p];
                            int end = pattern[p + 2];
                            if (start > end) {
                                int t = start;
                                start = end;
                                end = t;
                            }
                            p += 2;
                            patternLen -= 2;
                            if (c >= start && c <= end) {
                                matched = true;
                            }
                        } else if (pattern[p] == c) {
                            matched = true;
                        }
                        p++;
                        patternLen--;
                    }
                    if (not) {
                        matched = !matched;
                    }
                    if (!matched) {
                        return false;
                    }
                    si++;
                    stringLen--;
                }
                default -> {
                    if (pattern[p] == '\\' && patternLen >= 2) {
                        p++;
                        patternLen--;
                    }
                    if (pattern[p] != s.getByte(si)) {
                        return false;
                    }
                    si++;
                    stringLen--;
                }
            }
            p++;
            patternLen--;
            if (stringLen == 0) {
                while (patternLen > 0 && pattern[p] == '*') {
                    p++;
                    patternLen--;
                }
                break;
            }
        }
        return patternLen == 0 && stringLen == 0;
    }
}
