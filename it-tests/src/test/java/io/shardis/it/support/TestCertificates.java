package io.shardis.it.support;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away certificate authority made at test time (BouncyCastle, EC P-256) and the
 * certificates it signs, written as PEM files in a directory of their own: what {@code redis-server
 * --tls-*}, {@code redis-cli --tls --cacert} and Shardis' TLS blocks read.
 *
 * <p>{@link #server()} names {@code localhost} and {@code 127.0.0.1} and may also serve as a client
 * certificate (Redis uses its server certificate towards replicas' masters and cluster peers).
 */
public final class TestCertificates {

    private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());

    /** A certificate and its key, as objects and as PEM files. */
    public record Issued(Path certFile, Path keyFile, X509Certificate certificate, PrivateKey key) {
        public BigInteger serial() {
            return certificate.getSerialNumber();
        }
    }

    private final Path dir;
    private final String name;
    private final KeyPair caKeys;
    private final X509Certificate ca;
    private final Path caFile;
    private Issued server;
    private Issued client;

    private TestCertificates(Path dir, String name) throws GeneralSecurityException, IOException {
        this.dir = dir;
        this.name = name;
        this.caKeys = newKeys();
        X500Name subject = new X500Name("CN=" + name + " test CA");
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                        subject, nextSerial(), notBefore(), notAfter(), subject, caKeys.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        this.ca = sign(builder, caKeys.getPrivate());
        this.caFile = dir.resolve("ca.crt");
        Files.writeString(caFile, pem("CERTIFICATE", ca.getEncoded()));
    }

    /** A new CA named {@code name}, in a new directory. */
    public static TestCertificates create(String name) {
        try {
            return new TestCertificates(WorkDirs.newDir("tls-" + name + "-"), name);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot make a test CA", e);
        }
    }

    public Path dir() {
        return dir;
    }

    /** The CA certificate, PEM. */
    public Path caFile() {
        return caFile;
    }

    /** For {@code localhost} and {@code 127.0.0.1}: Redis' and Shardis' certificate. */
    public synchronized Issued server() {
        if (server == null) {
            server = issue("server", true);
        }
        return server;
    }

    /** A client certificate ({@code CN=client}). */
    public synchronized Issued client() {
        if (client == null) {
            client = issue("client", false);
        }
        return client;
    }

    /** A new certificate named {@code fileName}.crt/.key in this CA's directory. */
    public Issued issue(String fileName, boolean forServer) {
        return issueInto(dir.resolve(fileName + ".crt"), dir.resolve(fileName + ".key"), fileName, forServer);
    }

    /**
     * A new certificate (new key, new serial) written over {@code certFile} and {@code keyFile}, each
     * replaced in one move, as a certificate rotation writes them.
     */
    public Issued issueInto(Path certFile, Path keyFile, String commonName, boolean forServer) {
        try {
            KeyPair keys = newKeys();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                            ca,
                            nextSerial(),
                            notBefore(),
                            notAfter(),
                            new X500Name("CN=" + commonName),
                            keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(
                            Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement))
                    .addExtension(
                            Extension.extendedKeyUsage,
                            false,
                            new ExtendedKeyUsage(
                                    forServer
                                            ? new KeyPurposeId[] {
                                                KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth
                                            }
                                            : new KeyPurposeId[] {KeyPurposeId.id_kp_clientAuth}));
            if (forServer) {
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.dNSName, "localhost"),
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1")
                }));
            }
            X509Certificate certificate = sign(builder, caKeys.getPrivate());
            replace(certFile, pem("CERTIFICATE", certificate.getEncoded()));
            replace(keyFile, pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
            return new Issued(certFile, keyFile, certificate, keys.getPrivate());
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot issue a test certificate", e);
        }
    }

    /** Trusts this CA; presents {@code identity} when not null. */
    public SSLContext sslContext(Issued identity) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", ca);
            TrustManagerFactory trustManagers =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trust);
            KeyManagerFactory keyManagers = null;
            if (identity != null) {
                KeyStore keys = KeyStore.getInstance("PKCS12");
                keys.load(null, null);
                keys.setKeyEntry("me", identity.key(), new char[0], new Certificate[] {identity.certificate()});
                keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keyManagers.init(keys, new char[0]);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(
                    keyManagers == null ? null : keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot make an SSLContext", e);
        }
    }

    public SSLSocketFactory socketFactory(Issued identity) {
        return sslContext(identity).getSocketFactory();
    }

    /**
     * The {@code redis-server} arguments of a TLS-only server on {@code tlsPort} with this CA's
     * server certificate; {@code authClients} is {@code yes}, {@code optional} or {@code no}.
     */
    public List<String> redisArgs(int tlsPort, String authClients) {
        Issued identity = server();
        return new ArrayList<>(List.of(
                "--port",
                "0",
                "--tls-port",
                Integer.toString(tlsPort),
                "--tls-cert-file",
                identity.certFile().toString(),
                "--tls-key-file",
                identity.keyFile().toString(),
                "--tls-ca-cert-file",
                caFile.toString(),
                "--tls-auth-clients",
                authClients));
    }

    @Override
    public String toString() {
        return "TestCertificates[" + name + " in " + dir + "]";
    }

    private static void replace(Path file, String text) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".new");
        Files.writeString(temporary, text, StandardCharsets.US_ASCII);
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static KeyPair newKeys() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey issuerKey)
            throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static BigInteger nextSerial() {
        return BigInteger.valueOf(SERIALS.incrementAndGet());
    }

    private static Date notBefore() {
        return Date.from(Instant.now().minus(Duration.ofHours(1)));
    }

    private static Date notAfter() {
        return Date.from(Instant.now().plus(Duration.ofDays(2)));
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n-----END " + type + "-----\n";
    }
}
