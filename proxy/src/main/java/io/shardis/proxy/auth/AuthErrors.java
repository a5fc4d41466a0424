package io.shardis.proxy.auth;

/** The error replies of authentication, as Redis 7.0 words them (without the leading '-'). */
public final class AuthErrors {

    public static final String NOAUTH = "NOAUTH Authentication required.";
    public static final String WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled.";
    public static final String NO_PASSWORD_CONFIGURED = "ERR AUTH <password> called without any password"
            + " configured for the default user. Are you sure your configuration is correct?";
    public static final String AUTH_SYNTAX = "ERR syntax error";
    public static final String HELLO_NOAUTH = "NOAUTH HELLO must be called with the client already authenticated,"
            + " otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and"
            + " select the RESP protocol version at the same time";

    private AuthErrors() {}
}
