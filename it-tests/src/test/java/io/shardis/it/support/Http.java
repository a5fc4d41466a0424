package io.shardis.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Plain HTTP/1.1 requests to Shardis' HTTP listener on loopback, bounded in time. */
public final class Http {

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    /** What came back. */
    public record Response(int status, String contentType, String body) {}

    private Http() {}

    public static Response get(int port, String path) {
        return get(port, path, null);
    }

    /** GET with an {@code Accept} header (null: none). */
    public static Response get(int port, String path, String accept) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(port, path))
                .timeout(Duration.ofSeconds(10))
                .GET();
        if (accept != null) {
            request.header("Accept", accept);
        }
        return send(request.build());
    }

    public static Response post(int port, String path) {
        return send(HttpRequest.newBuilder(uri(port, path))
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());
    }

    private static URI uri(int port, String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private static Response send(HttpRequest request) {
        try {
            HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
            return new Response(
                    response.statusCode(),
                    response.headers().firstValue("Content-Type").orElse(""),
                    response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The scrape parsed strictly. */
    public static PrometheusText metrics(int port) {
        Response response = get(port, "/metrics");
        if (response.status() != 200) {
            throw new IllegalStateException("/metrics answered " + response.status() + ": " + response.body());
        }
        return PrometheusText.parse(response.body());
    }
}
