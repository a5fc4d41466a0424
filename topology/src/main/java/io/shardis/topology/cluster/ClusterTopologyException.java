package io.shardis.topology.cluster;

/** A cluster topology could not be learned: no node answered, or an answer made no sense. */
public final class ClusterTopologyException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ClusterTopologyException(String message) {
        super(message);
    }

    public ClusterTopologyException(String message, Throwable cause) {
        super(message, cause);
    }
}
