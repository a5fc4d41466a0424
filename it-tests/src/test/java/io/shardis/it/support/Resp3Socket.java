package io.shardis.it.support;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.shardis.resp.RespValue;
import io.shardis.resp.RespValueReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A bare TCP connection that reads replies of any RESP2 or RESP3 type as their exact bytes, for
 * byte-for-byte comparisons of what Shardis and Redis write (pushes included, each one frame).
 */
public final class Resp3Socket implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final ByteBuf buffer = Unpooled.buffer();
    private final byte[] chunk = new byte[8192];

    public Resp3Socket(InetSocketAddress address) {
        try {
            socket = new Socket(address.getAddress(), address.getPort());
            socket.setSoTimeout(15_000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends each command (words split on spaces), all in one write. */
    public Resp3Socket send(String... commands) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (String command : commands) {
            RespConnection.appendCommand(bytes, command.split(" "));
        }
        try {
            out.write(bytes.toByteArray());
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** The next frame (reply or push), as its exact bytes in ISO-8859-1 text. */
    public String read() {
        try {
            while (true) {
                int start = buffer.readerIndex();
                if (buffer.isReadable() && new RespValueReader().read(buffer) != null) {
                    String frame = buffer.toString(start, buffer.readerIndex() - start, StandardCharsets.ISO_8859_1);
                    buffer.discardReadBytes();
                    return frame;
                }
                int n = in.read(chunk);
                if (n < 0) {
                    throw new IOException("connection closed mid-reply");
                }
                buffer.writeBytes(chunk, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next frame, decoded. */
    public RespValue readValue() {
        String frame = read();
        ByteBuf bytes = Unpooled.copiedBuffer(frame, StandardCharsets.ISO_8859_1);
        try {
            return new RespValueReader().read(bytes);
        } finally {
            bytes.release();
        }
    }

    /** Sends one command and returns its reply's bytes. */
    public String call(String command) {
        return send(command).read();
    }

    @Override
    public void close() {
        buffer.release();
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing a test connection: nothing to do.
        }
    }
}
