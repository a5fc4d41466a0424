package io.shardis.it.support;

/**
 * Timing margins scaled to the machine. A bound such as "the switch comes within 1 s of the
 * Sentinels' agreement" holds on an idle workstation; on a loaded 2-core CI machine thread
 * hand-offs take longer, and the bound grows with it rather than failing at random. The factor is
 * {@code -Dshardis.it.margin-factor}, else 2 on machines with fewer than 4 cores, else 1.
 */
public final class Margins {

    private static final double FACTOR = factor();

    private Margins() {}

    /** {@code millis} scaled by the machine's factor. */
    public static long millis(long millis) {
        return Math.round(millis * FACTOR);
    }

    public static double factor() {
        String configured = System.getProperty("shardis.it.margin-factor", "").trim();
        if (!configured.isEmpty()) {
            return Math.max(1.0, Double.parseDouble(configured));
        }
        return Runtime.getRuntime().availableProcessors() < 4 ? 2.0 : 1.0;
    }
}
