package io.shardis.sentinel;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** Addresses as Sentinels write them ({@code ip port}) and as logs show them ({@code ip:port}). */
final class HostPort {

    private HostPort() {}

    /**
     * The address a Sentinel reported, without a DNS lookup: an IP literal becomes a resolved
     * address; a host name (Sentinel's {@code resolve-hostnames}) stays unresolved, so whoever
     * connects resolves it then, with a fresh answer.
     */
    static InetSocketAddress of(String host, int port) {
        byte[] literal = NetUtil.createByteArrayFromIpAddressString(host);
        if (literal == null) {
            return InetSocketAddress.createUnresolved(host, port);
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(host, literal), port);
        } catch (UnknownHostException e) {
            // getByAddress fails only on a wrong length, which a parsed literal cannot have.
            throw new IllegalStateException(e);
        }
    }

    /** {@code host:port}, without a reverse lookup. */
    static String format(InetSocketAddress address) {
        return address.getHostString() + ":" + address.getPort();
    }
}
