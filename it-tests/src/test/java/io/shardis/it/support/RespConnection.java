package io.shardis.it.support;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A bare TCP connection that speaks RESP by hand, for what real clients never send: malformed
 * requests, huge pipelines in one write, disconnecting before the replies.
 *
 * <p>Replies are read as {@code "+status"}, {@code "-error"}, {@link Long}, {@code byte[]} (or
 * {@code null}) and {@link List} (or {@code null}).
 */
public final class RespConnection implements AutoCloseable {

    private static final int READ_TIMEOUT_MILLIS = 15_000;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public RespConnection(InetSocketAddress address) {
        this(address, 0);
    }

    /**
     * A connection whose socket takes at most about {@code receiveBufferBytes} before the client
     * reads (0: the system's default): a client that reads nothing is then seen as one at once,
     * rather than after the kernel has buffered megabytes for it.
     */
    public RespConnection(InetSocketAddress address, int receiveBufferBytes) {
        try {
            socket = new Socket();
            if (receiveBufferBytes > 0) {
                socket.setReceiveBufferSize(receiveBufferBytes);
            }
            socket.connect(address, 5_000);
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            socket.setTcpNoDelay(true);
            in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            out = socket.getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot connect to " + address, e);
        }
    }

    /** A command as a RESP array of bulk strings. */
    public static byte[] command(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        appendCommand(bytes, args);
        return bytes.toByteArray();
    }

    /** Commands written as space-separated words, e.g. {@code "SET k v"}, one after another in one buffer. */
    public static byte[] pipeline(String... commands) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (String command : commands) {
            appendCommand(bytes, command.split(" "));
        }
        return bytes.toByteArray();
    }

    /** Appends {@code args} as one RESP command to {@code bytes}. */
    public static void appendCommand(ByteArrayOutputStream bytes, String... args) {
        bytes.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String arg : args) {
            byte[] value = arg.getBytes(StandardCharsets.UTF_8);
            bytes.writeBytes(("$" + value.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            bytes.writeBytes(value);
            bytes.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
    }

    /** Writes {@code bytes} in one call and flushes. */
    public RespConnection write(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public RespConnection write(String raw) {
        return write(raw.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends one command and reads its reply. */
    public Object call(String... args) {
        write(command(args));
        return read();
    }

    /** Reads one reply; fails if the server closed the connection first. */
    public Object read() {
        try {
            return readReply();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether the server closed the connection: the next read sees end of stream (bounded by the read timeout). */
    public boolean closedByServer() {
        try {
            return in.read() == -1;
        } catch (IOException e) {
            // A reset is a close too.
            return !(e instanceof java.net.SocketTimeoutException);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing a test connection: nothing to do.
        }
    }

    private Object readReply() throws IOException {
        int type = in.read();
        if (type == -1) {
            throw new EOFException("connection closed by the server");
        }
        String line = readLine();
        switch (type) {
            case '+':
                return "+" + line;
            case '-':
                return "-" + line;
            case ':':
                return Long.parseLong(line);
            case '$': {
                int length = Integer.parseInt(line);
                if (length < 0) {
                    return null;
                }
                byte[] value = in.readNBytes(length);
                if (value.length < length || in.read() != '\r' || in.read() != '\n') {
                    throw new EOFException("truncated bulk string");
                }
                return value;
            }
            case '*': {
                int count = Integer.parseInt(line);
                if (count < 0) {
                    return null;
                }
                List<Object> items = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    items.add(readReply());
                }
                return items;
            }
            default:
                throw new IOException("not a RESP2 reply type: '" + (char) type + "' " + line);
        }
    }

    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b == -1) {
                throw new EOFException("connection closed in a reply line: " + line);
            }
            if (b == '\r') {
                if (in.read() != '\n') {
                    throw new IOException("CR without LF after: " + line);
                }
                return line.toString();
            }
            line.append((char) b);
        }
    }
}
