package io.shardis.proxy.command;

/** How the proxy routes a command. {@link CommandTable} says why each command has its kind. */
public enum Routing {
    /** Exactly one key (GET, SET, HSET, LPUSH, XADD...): routed by that key. */
    SINGLE_KEY,
    /** Keys that can be split per shard, replies merged: MGET, MSET, DEL, UNLINK, EXISTS, TOUCH. */
    MULTI_KEY,
    /** Several keys that must live on one shard (RENAME, EVAL, ZUNIONSTORE, BLPOP...). */
    SAME_SHARD,
    /** No key: any one backend answers (TIME, LASTSAVE, WAIT, COMMAND, PUBLISH...). */
    KEYLESS,
    /** Sent to every shard and the replies merged (DBSIZE, KEYS, SCAN, INFO, FLUSHALL...). */
    ALL_SHARDS,
    /** Answered by the proxy itself (PING, ECHO, QUIT, HELLO, SELECT, AUTH, CLIENT SETNAME...). */
    LOCAL,
    /** MULTI, EXEC, DISCARD, WATCH, UNWATCH: need a backend connection of their own. */
    TRANSACTION,
    /** (P|S)SUBSCRIBE and (P|S)UNSUBSCRIBE: a connection of their own, in push mode. */
    SUBSCRIBE,
    /** Never forwarded: replication, server control, cluster administration, connection state. */
    REFUSED
}
