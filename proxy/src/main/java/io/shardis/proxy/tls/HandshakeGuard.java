package io.shardis.proxy.tls;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits behind a client's {@code SslHandler} until its handshake is over. A failed handshake (a
 * client that does not trust Shardis, has no certificate or a foreign one, or speaks plain text to
 * a TLS port) closes the connection quietly: one INFO line per pool at most every 10 seconds says
 * how many failed and the last reason, the rest goes to DEBUG. Once the handshake succeeded the
 * guard leaves the pipeline.
 */
public final class HandshakeGuard extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(HandshakeGuard.class);
    private static final long REPORT_INTERVAL_NANOS = 10_000_000_000L;

    /** Failures of one pool's listener, shared by its connections. */
    public static final class Failures {
        private final String pool;
        private final AtomicLong count = new AtomicLong();
        private final AtomicLong lastReport = new AtomicLong(System.nanoTime() - REPORT_INTERVAL_NANOS);

        public Failures(String pool) {
            this.pool = pool;
        }

        void failed(Object client, Throwable cause) {
            long failed = count.incrementAndGet();
            String reason = TlsFailures.describe(cause);
            log.debug("pool '{}': TLS handshake with {} failed: {}", pool, client, reason);
            long now = System.nanoTime();
            long last = lastReport.get();
            if (now - last >= REPORT_INTERVAL_NANOS && lastReport.compareAndSet(last, now)) {
                log.info(
                        "pool '{}': {} client TLS handshake(s) failed so far; the last, from {}: {}",
                        pool,
                        failed,
                        client,
                        reason);
            }
        }

        /** Client handshakes that failed since start. */
        public long count() {
            return count.get();
        }
    }

    private final Failures failures;
    private boolean reported;

    public HandshakeGuard(Failures failures) {
        this.failures = failures;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof SslHandshakeCompletionEvent done) {
            if (done.isSuccess()) {
                ctx.pipeline().remove(this);
            } else {
                report(ctx, done.cause());
                ctx.close();
                return;
            }
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        Throwable tls = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (tls instanceof SSLException || cause instanceof io.netty.handler.ssl.NotSslRecordException) {
            report(ctx, tls);
            ctx.close();
            return;
        }
        super.exceptionCaught(ctx, cause);
    }

    private void report(ChannelHandlerContext ctx, Throwable cause) {
        if (!reported) {
            reported = true;
            failures.failed(ctx.channel().remoteAddress(), cause);
        }
    }
}
