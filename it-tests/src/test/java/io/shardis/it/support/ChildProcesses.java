package io.shardis.it.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Every child process the fixtures start, so that none outlives the test JVM: a shutdown hook
 * stops whatever is still running, and {@link StopChildProcesses} stops what a test class left.
 */
public final class ChildProcesses {

    /** A child process that can be stopped by its fixture. */
    public interface Stoppable {
        /** Stops the process (and its descendants) by PID; safe to call more than once. */
        void stop();
    }

    private static final Duration GRACE = Duration.ofSeconds(10);
    private static final Set<Stoppable> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ChildProcesses::stopAll, "stop-child-processes"));
    }

    private ChildProcesses() {}

    static void register(Stoppable process) {
        RUNNING.add(process);
    }

    static void unregister(Stoppable process) {
        RUNNING.remove(process);
    }

    /** The processes running now; a later {@link #stopAllExcept} leaves these alone. */
    public static Set<Stoppable> snapshot() {
        return Set.copyOf(RUNNING);
    }

    /** Stops every registered process not in {@code keep}. */
    public static void stopAllExcept(Set<Stoppable> keep) {
        List<Stoppable> toStop = new ArrayList<>(RUNNING);
        toStop.removeAll(keep);
        toStop.forEach(ChildProcesses::stopQuietly);
    }

    static void stopAll() {
        new ArrayList<>(RUNNING).forEach(ChildProcesses::stopQuietly);
    }

    private static void stopQuietly(Stoppable process) {
        try {
            process.stop();
        } catch (RuntimeException e) {
            System.err.println("could not stop " + process + ": " + e);
        }
    }

    /**
     * Stops {@code process} and all its descendants: SIGTERM, a bounded wait, then SIGKILL.
     * Descendants matter for launcher scripts that fork the JVM instead of exec-ing it.
     */
    /** Starts {@code command} in {@code dir}, its output appended to {@code dir/console.log}. */
    static Process launch(java.util.List<String> command, java.nio.file.Path dir) {
        try {
            return new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(
                            dir.resolve("console.log").toFile()))
                    .start();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot start " + command, e);
        }
    }

    static void terminate(Process process) {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        descendants.forEach(ProcessHandle::destroy);
        if (!waitFor(process)) {
            process.destroyForcibly();
            waitFor(process);
        }
        for (ProcessHandle child : descendants) {
            if (!waitFor(child)) {
                child.destroyForcibly();
                waitFor(child);
            }
        }
    }

    /** SIGKILL, then wait until the process is gone. */
    static void kill(Process process) {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        waitFor(process);
        descendants.forEach(ChildProcesses::waitFor);
    }

    private static boolean waitFor(Process process) {
        try {
            return process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    private static boolean waitFor(ProcessHandle handle) {
        try {
            handle.onExit().get(GRACE.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !handle.isAlive();
        } catch (Exception e) {
            return !handle.isAlive();
        }
    }
}
