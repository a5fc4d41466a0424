package io.shardis.it.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Reading a Twemproxy-style stats port as dashboards read it: connect, read until the server closes, parse. */
public final class StatsDocuments {

    private static final int TIMEOUT_MILLIS = 10_000;

    private StatsDocuments() {}

    /** Connects, sends nothing, and reads until the server ends the stream. */
    public static String fetch(InetSocketAddress address) {
        try (Socket socket = new Socket()) {
            socket.connect(address, TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] chunk = new byte[8192];
            int n;
            while ((n = in.read(chunk)) >= 0) {
                received.write(chunk, 0, n);
            }
            return received.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("reading the stats port " + address, e);
        }
    }

    /** Parses with Gson in strict mode: one JSON object and nothing after it. */
    public static JsonObject parseStrict(String text) {
        try (JsonReader reader = new JsonReader(new StringReader(text))) {
            reader.setStrictness(Strictness.STRICT);
            JsonObject document = JsonParser.parseReader(reader).getAsJsonObject();
            assertThat(reader.peek()).isEqualTo(JsonToken.END_DOCUMENT);
            return document;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
