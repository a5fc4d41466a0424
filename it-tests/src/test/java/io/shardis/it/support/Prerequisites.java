package io.shardis.it.support;

import org.junit.jupiter.api.Assumptions;

/**
 * What a test needs from the machine (nutcracker, redis-cli, Redis 7, the embedded Redis 6.2).
 * Where it is missing the test is skipped with the reason, which is honest on a laptop; in CI
 * nothing may be skipped silently, so there ({@code SHARDIS_IT_REQUIRE_ALL=true} in the
 * environment, which {@code .ci/run} exports, or {@code -Dshardis.it.require-all=true}) a missing
 * prerequisite fails the test instead.
 */
public final class Prerequisites {

    static final String ENVIRONMENT_VARIABLE = "SHARDIS_IT_REQUIRE_ALL";
    static final String PROPERTY = "shardis.it.require-all";

    private Prerequisites() {}

    /** Whether missing prerequisites fail tests rather than skip them. */
    public static boolean required() {
        return Boolean.parseBoolean(System.getenv().getOrDefault(ENVIRONMENT_VARIABLE, "false"))
                || Boolean.getBoolean(PROPERTY);
    }

    /** Skips the calling test when {@code present} is false, or fails it where everything is required. */
    public static void need(boolean present, String reason) {
        if (present) {
            return;
        }
        if (required()) {
            throw new AssertionError(reason + " (" + ENVIRONMENT_VARIABLE + "=true: nothing may be skipped here)");
        }
        Assumptions.abort(reason);
    }
}
