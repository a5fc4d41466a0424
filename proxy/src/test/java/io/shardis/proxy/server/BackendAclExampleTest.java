package io.shardis.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardis.proxy.auth.AclRules;
import io.shardis.proxy.auth.AclUser;
import io.shardis.proxy.command.CommandFlag;
import io.shardis.proxy.command.CommandSpec;
import io.shardis.proxy.command.CommandTable;
import io.shardis.proxy.command.Routing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * conf/backend-acl.conf's user refuses exactly what a pool without allow_admin refuses, and lets
 * through everything such a pool forwards and what Shardis itself sends: checked against the
 * command table, so a regenerated table that moves a command shows here.
 */
class BackendAclExampleTest {

    private static final CommandTable TABLE = CommandTable.standard();
    /** What Shardis sends of its own on backend connections. */
    private static final List<String> SHARDIS_OWN = List.of(
            "auth",
            "select",
            "readonly",
            "asking",
            "role",
            "ping",
            "publish",
            "cluster|shards",
            "cluster|slots",
            "eval");

    static AclUser exampleUser() throws IOException {
        Path file = Path.of(System.getProperty("user.dir"))
                .resolve("../conf/backend-acl.conf")
                .normalize();
        String line = Files.readAllLines(file).stream()
                .filter(l -> l.startsWith("user shardis "))
                .findFirst()
                .orElseThrow();
        List<String> words = AclRules.words(line);
        return new AclRules(TABLE).compile(words.get(1), words.subList(2, words.size()));
    }

    @Test
    void refusesWhatThePoolRefusesAndAllowsWhatItForwards() throws IOException {
        AclUser user = exampleUser();
        List<String> openGated = new ArrayList<>();
        List<String> closedForwarded = new ArrayList<>();
        for (CommandSpec spec : TABLE.all()) {
            boolean gated = spec.has(CommandFlag.DANGEROUS);
            if (gated && user.allows(spec) && !SHARDIS_OWN.contains(spec.name())) {
                openGated.add(spec.name());
            }
            boolean forwarded = !gated && spec.routing() != Routing.REFUSED && spec.routing() != Routing.LOCAL;
            if (forwarded && !user.allows(spec)) {
                closedForwarded.add(spec.name());
            }
        }
        assertThat(openGated)
                .as("refused by the pool, allowed by the backend ACL")
                .isEmpty();
        assertThat(closedForwarded)
                .as("forwarded by the pool, refused by the backend ACL")
                .isEmpty();
        for (String own : SHARDIS_OWN) {
            assertThat(user.allows(TABLE.lookup(own))).as(own).isTrue();
        }
        assertThat(user.enabled()).isTrue();
        assertThat(user.limitedKeys()).isFalse();
    }

    @Test
    void theProbeAsksAboutEveryGatedCommandAScriptCouldRun() {
        List<String> gated = BackendScriptProbe.gatedCommands(TABLE);
        assertThat(gated)
                .contains("flushall", "flushdb", "memory|purge")
                .doesNotContain("shutdown", "config|set", "get");
        assertThat(gated.subList(0, 2)).containsExactlyInAnyOrder("flushall", "flushdb");
    }
}
