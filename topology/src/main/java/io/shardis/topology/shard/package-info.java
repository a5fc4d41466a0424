/**
 * Twemproxy-compatible sharding: which server of a pool holds a key, bit for bit as nutcracker
 * 0.5.0 decides it, so that a nutcracker.yml pool served by Shardis finds every key where
 * Twemproxy put it. {@link io.shardis.topology.shard.ShardRing} is the entry point; the hash
 * functions, hash tags, distributions and server entries are nutcracker.yml's.
 */
package io.shardis.topology.shard;
