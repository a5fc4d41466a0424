package io.shardis.proxy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/** Applies -v and -o on top of the logback configuration (conf/logback.xml or the built-in default). */
final class Logging {

    private Logging() {}

    /** nutcracker's levels: 0 emerg .. 3 error, 4 warn, 5 notice, 6 info, 7 debug, 8+ verbose. */
    static void apply(int verbosity, Path logFile) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Level level = verbosity <= 3
                ? Level.ERROR
                : verbosity == 4
                        ? Level.WARN
                        : verbosity <= 6 ? Level.INFO : verbosity <= 7 ? Level.DEBUG : Level.TRACE;
        context.getLogger("io.shardis").setLevel(level);
        if (logFile != null) {
            PatternLayoutEncoder encoder = new PatternLayoutEncoder();
            encoder.setContext(context);
            encoder.setPattern("%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger{24} - %msg%n");
            encoder.start();
            FileAppender<ILoggingEvent> file = new FileAppender<>();
            file.setContext(context);
            file.setName("file");
            file.setFile(logFile.toString());
            file.setAppend(true);
            file.setEncoder(encoder);
            file.start();
            root.detachAndStopAllAppenders();
            root.addAppender(file);
        }
    }
}
