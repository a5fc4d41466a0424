package io.shardis.it.support;

/** Closing what a test class opened, for {@code @AfterAll} methods whose set-up may have stopped half-way. */
public final class Closeables {

    private Closeables() {}

    /**
     * Closes each resource that is not {@code null}, in the order given, even if one fails; the
     * first failure is thrown afterwards with any later ones suppressed.
     */
    public static void closeAll(AutoCloseable... resources) throws Exception {
        Exception first = null;
        for (AutoCloseable resource : resources) {
            if (resource == null) {
                continue;
            }
            try {
                resource.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
