package io.shardis.proxy.command;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The {@code command_group} label of each command, from its Redis flags and Shardis' routing. */
class CommandGroupTest {

    private static final CommandTable TABLE = CommandTable.standard();

    private static CommandGroup group(String name) {
        return TABLE.lookup(name).group();
    }

    @Test
    void groupsFollowFlagsAndRouting() {
        assertThat(group("get")).isEqualTo(CommandGroup.READ);
        assertThat(group("mget")).isEqualTo(CommandGroup.READ);
        assertThat(group("set")).isEqualTo(CommandGroup.WRITE);
        assertThat(group("del")).isEqualTo(CommandGroup.WRITE);
        assertThat(group("blpop")).isEqualTo(CommandGroup.BLOCKING);
        assertThat(group("subscribe")).isEqualTo(CommandGroup.PUBSUB);
        assertThat(group("publish")).isEqualTo(CommandGroup.PUBSUB);
        assertThat(group("multi")).isEqualTo(CommandGroup.TRANSACTION);
        assertThat(group("exec")).isEqualTo(CommandGroup.TRANSACTION);
        assertThat(group("ping")).isEqualTo(CommandGroup.CONNECTION);
        assertThat(group("flushall")).isEqualTo(CommandGroup.ADMIN);
        assertThat(group("eval")).isEqualTo(CommandGroup.OTHER);
    }

    @Test
    void everyCommandHasAGroupAndNoneIsShardisOwn() {
        assertThat(TABLE.all())
                .allSatisfy(spec -> assertThat(spec.group()).isNotNull().isNotEqualTo(CommandGroup.PROXY));
    }
}
