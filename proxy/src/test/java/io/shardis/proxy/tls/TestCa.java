package io.shardis.proxy.tls;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A CA made in the test (EC P-256) and certificates it signs, as PEM files: for handshakes in memory. */
final class TestCa {

    private static final AtomicLong SERIALS = new AtomicLong(1000);

    private final Path dir;
    private final KeyPair keys;
    private final X509Certificate certificate;
    final Path caFile;

    TestCa(Path dir, String name) throws Exception {
        this.dir = dir;
        this.keys = newKeys();
        X500Name subject = new X500Name("CN=" + name);
        this.certificate = sign(
                new JcaX509v3CertificateBuilder(subject, serial(), from(), until(), subject, keys.getPublic())
                        .addExtension(Extension.basicConstraints, true, new BasicConstraints(true)),
                keys.getPrivate());
        this.caFile = write(dir.resolve(name + "-ca.crt"), "CERTIFICATE", certificate.getEncoded());
    }

    /** A certificate for 127.0.0.1 and localhost, written to {@code name}.crt and .key; returns its serial. */
    BigInteger issue(String name) throws Exception {
        KeyPair leaf = newKeys();
        X509Certificate issued = sign(
                new JcaX509v3CertificateBuilder(
                                certificate, serial(), from(), until(), new X500Name("CN=" + name), leaf.getPublic())
                        .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                            new GeneralName(GeneralName.dNSName, "localhost"),
                            new GeneralName(GeneralName.iPAddress, "127.0.0.1")
                        })),
                keys.getPrivate());
        write(dir.resolve(name + ".crt"), "CERTIFICATE", issued.getEncoded());
        write(dir.resolve(name + ".key"), "PRIVATE KEY", leaf.getPrivate().getEncoded());
        return issued.getSerialNumber();
    }

    Path cert(String name) {
        return dir.resolve(name + ".crt");
    }

    Path key(String name) {
        return dir.resolve(name + ".key");
    }

    private static Path write(Path file, String type, byte[] der) throws Exception {
        return Files.writeString(
                file,
                "-----BEGIN " + type + "-----\n"
                        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n-----END " + type
                        + "-----\n");
    }

    private static KeyPair newKeys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key) throws Exception {
        return new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
    }

    private static BigInteger serial() {
        return BigInteger.valueOf(SERIALS.incrementAndGet());
    }

    private static Date from() {
        return new Date(System.currentTimeMillis() - 3_600_000L);
    }

    private static Date until() {
        return new Date(System.currentTimeMillis() + 86_400_000L);
    }
}
