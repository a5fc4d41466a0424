package io.shardis.proxy;

import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.commons.configuration2.io.FileHandler;
import org.apache.commons.configuration2.reloading.FileHandlerReloadingDetector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads the configuration when its file changes ({@code shardis: watch: MS}), for deployments
 * that rewrite the file rather than signal the process: a Kubernetes ConfigMap mounted as a volume
 * (its files are swapped behind a symlink), Ansible, Puppet. The check is Apache Commons
 * Configuration's {@link FileHandlerReloadingDetector} (the file's modification time, followed
 * through symlinks), made every {@code watchMillis} on a thread of its own; a change runs the same
 * reload as SIGHUP, which refuses a file that fails its checks and keeps the running configuration.
 */
final class ConfigWatch implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConfigWatch.class);

    private final ScheduledExecutorService timer;

    private ConfigWatch(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    /** Starts watching {@code file} every {@code watchMillis}; {@code reload} runs on each change. */
    static ConfigWatch start(Path file, int watchMillis, Runnable reload) {
        FileHandler handler = new FileHandler();
        handler.setFile(file.toFile());
        // The detector's own delay is 0: the timer already paces the checks.
        FileHandlerReloadingDetector detector = new FileHandlerReloadingDetector(handler, 0);
        detector.reloadingPerformed(); // the file as it was read at start is the baseline
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "shardis-config-watch");
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleWithFixedDelay(
                () -> {
                    try {
                        if (detector.isReloadingRequired()) {
                            detector.reloadingPerformed();
                            log.info("configuration file {} changed: reloading it", file);
                            reload.run();
                        }
                    } catch (RuntimeException e) {
                        log.warn("watching configuration file {} failed: {}", file, e.toString());
                    }
                },
                watchMillis,
                watchMillis,
                TimeUnit.MILLISECONDS);
        log.info("watching configuration file {} for changes every {} ms", file, watchMillis);
        return new ConfigWatch(timer);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
