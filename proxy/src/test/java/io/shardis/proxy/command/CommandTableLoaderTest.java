package io.shardis.proxy.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The loader refuses tables with gaps, so that regenerating from a newer Redis cannot slip one in. */
class CommandTableLoaderTest {

    private static final String GET =
            "get\t2\treadonly,fast\t1\t1\t1\t[RO,access]index(1)range(0,1,0)\t@read\t-\tstring\t1.0.0";
    private static final String TIME = "time\t1\tloading,stale,fast\t0\t0\t0\t-\t@fast\t-\tserver\t2.6.0";
    private static final String MGET =
            "mget\t-2\treadonly,fast\t1\t-1\t1\t[RO,access]index(1)range(-1,1,0)\t@read\t-\tstring\t1.0.0";

    @Test
    void buildsATableFromBothFiles() {
        CommandTable table = CommandTableLoader.build(
                List.of("# comment", GET, TIME, MGET),
                List.of("time KEYLESS  # why", "mget MULTI_KEY DANGEROUS merge=key-order"));
        assertThat(table.all()).extracting(CommandSpec::name).containsExactly("get", "mget", "time");
        assertThat(table.lookup("get").routing()).isEqualTo(Routing.SINGLE_KEY);
        assertThat(table.lookup("time").routing()).isEqualTo(Routing.KEYLESS);
        assertThat(table.lookup("mget").routing()).isEqualTo(Routing.MULTI_KEY);
        assertThat(table.lookup("mget").has(CommandFlag.DANGEROUS)).isTrue();
        assertThat(table.lookup("get").has(CommandFlag.DANGEROUS)).isFalse();
        assertThat(table.lookup("mget").merge()).isEqualTo(ReplyMerge.KEY_ORDER);
        assertThat(table.lookup("get").merge()).isNull();
    }

    @Test
    void splitAndBroadcastCommandsMustSayHowTheirRepliesMerge() {
        assertThatThrownBy(() -> CommandTableLoader.build(List.of(MGET), List.of("mget MULTI_KEY")))
                .hasMessageContaining("merge=");
        assertThatThrownBy(() -> CommandTableLoader.build(List.of(TIME), List.of("time KEYLESS merge=sum")))
                .hasMessageContaining("merge=");
    }

    @Test
    void severalKeysDefaultToSameShard() {
        CommandTable table = CommandTableLoader.build(List.of(MGET), List.of());
        assertThat(table.lookup("mget").routing()).isEqualTo(Routing.SAME_SHARD);
    }

    @Test
    void refusesAKeylessCommandWithoutRouting() {
        assertThatThrownBy(() -> CommandTableLoader.build(List.of(GET, TIME), List.of()))
                .hasMessageContaining("keyless command 'time'");
    }

    @Test
    void refusesRoutingForAnUnknownCommand() {
        assertThatThrownBy(() -> CommandTableLoader.build(List.of(GET), List.of("gett SINGLE_KEY")))
                .hasMessageContaining("unknown command 'gett'");
        assertThatThrownBy(() -> CommandTableLoader.build(List.of(GET), List.of("client|* REFUSED")))
                .hasMessageContaining("unknown command 'client|*'");
    }

    @Test
    void readsAclCategoriesAndRefusesUnknownOrMissingOnes() {
        CommandTable table = CommandTableLoader.build(List.of(GET, TIME), List.of("time KEYLESS"));
        assertThat(table.lookup("get").in(AclCategory.READ)).isTrue();
        assertThat(table.lookup("get").in(AclCategory.WRITE)).isFalse();
        assertThat(table.lookup("time").in(AclCategory.FAST)).isTrue();
        assertThatThrownBy(() -> CommandTableLoader.build(List.of(GET.replace("@read", "@read,@teleport")), List.of()))
                .hasMessageContaining("unknown ACL category '@teleport'");
        assertThatThrownBy(() -> CommandTableLoader.build(List.of(GET.replace("\t@read\t", "\t-\t")), List.of()))
                .hasMessageContaining("'get' has no ACL category");
    }

    @Test
    void channelRulesComeFromRouting() {
        String publish = "publish\t3\tpubsub,loading,stale,fast\t0\t0\t0\t-\t@pubsub,@fast\t-\tpubsub\t2.0.0";
        CommandTable table = CommandTableLoader.build(List.of(publish), List.of("publish KEYLESS channels=publish"));
        assertThat(table.lookup("publish").channels()).isEqualTo(ChannelRule.PUBLISH);
        assertThatThrownBy(() -> CommandTableLoader.build(List.of(publish), List.of("publish KEYLESS channels=radio")))
                .hasMessageContaining("channels=radio");
    }

    @Test
    void theStandardTableKnowsWhatRedisAllowsBeforeAuthentication() {
        CommandTable table = CommandTable.standard();
        assertThat(table.all())
                .filteredOn(spec -> spec.has(CommandFlag.NO_AUTH))
                .extracting(CommandSpec::name)
                .containsExactlyInAnyOrder("auth", "hello", "quit", "reset");
        assertThat(table.lookup("subscribe").channels()).isEqualTo(ChannelRule.SUBSCRIBE);
        assertThat(table.lookup("psubscribe").channels()).isEqualTo(ChannelRule.PATTERN);
        assertThat(table.lookup("spublish").channels()).isEqualTo(ChannelRule.PUBLISH);
        assertThat(table.lookup("flushall").in(AclCategory.DANGEROUS)).isTrue();
        assertThat(table.lookup("eval").in(AclCategory.SCRIPTING)).isTrue();
    }

    @Test
    void refusesUnknownFlagsAndOptions() {
        String future = GET.replace("readonly,fast", "readonly,fast,teleports");
        assertThatThrownBy(() -> CommandTableLoader.build(List.of(future), List.of()))
                .hasMessageContaining("unknown flag 'teleports'");
        assertThatThrownBy(() -> CommandTableLoader.build(List.of(TIME), List.of("time KEYLESS SOMETIMES")))
                .hasMessageContaining("unknown option 'SOMETIMES'");
        assertThatThrownBy(() -> CommandTableLoader.build(List.of(TIME), List.of("time ANYWHERE")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesARoutingTheKeysCannotSupport() {
        assertThatThrownBy(() -> CommandTableLoader.build(List.of(MGET), List.of("mget SINGLE_KEY")))
                .hasMessageContaining("cannot be SINGLE_KEY");
        assertThatThrownBy(() -> CommandTableLoader.build(List.of(GET), List.of("get MULTI_KEY merge=sum")))
                .hasMessageContaining("cannot be MULTI_KEY");
        assertThatThrownBy(() -> CommandTableLoader.build(List.of(TIME), List.of("time SAME_SHARD")))
                .hasMessageContaining("cannot be SAME_SHARD");
    }

    @Test
    void refusesWrittenKeysRedisCannotLocate() {
        String sort = "sort\t-2\twrite\t1\t1\t1\t[RO,access]index(1)range(0,1,0) [OW,update]unknown()unknown()"
                + "\t@write\t-\tgeneric\t1.0.0";
        assertThatThrownBy(() -> CommandTableLoader.build(List.of(sort), List.of()))
                .hasMessageContaining("keys= in routing.tsv");
        CommandTable table = CommandTableLoader.build(List.of(sort), List.of("sort SAME_SHARD keys=sort"));
        assertThat(table.lookup("sort").routing()).isEqualTo(Routing.SAME_SHARD);
        String incomplete = "migrate\t-6\twrite\t3\t3\t1\t[RW,access,delete,incomplete]keyword(KEYS,-2)range(-1,1,0)"
                + "\t@write\t-\tgeneric\t2.6.0";
        assertThatThrownBy(() -> CommandTableLoader.build(List.of(incomplete), List.of("migrate REFUSED")))
                .hasMessageContaining("cannot resolve");
    }

    @Test
    void refusesMalformedKeySpecs() {
        String bad = GET.replace("range(0,1,0)", "range(0,1)x");
        assertThatThrownBy(() -> CommandTableLoader.build(List.of(bad), List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("get");
    }

    @Test
    void refusesOrphanSubcommandsAndDuplicates() {
        String orphan = "client|id\t2\tnoscript\t0\t0\t0\t-\t@slow\t-\tconnection\t5.0.0";
        assertThatThrownBy(() -> CommandTableLoader.build(List.of(orphan), List.of("client|id LOCAL")))
                .hasMessageContaining("'client|id' has no container");
        assertThatThrownBy(() -> CommandTableLoader.build(List.of(GET, GET), List.of()))
                .hasMessageContaining("twice");
    }

    @Test
    void wildcardRoutesEverySubcommandWithoutItsOwnLine() {
        String cluster = "cluster\t-2\t-\t0\t0\t0\t-\t@slow\t-\tcluster\t3.0.0";
        String slots = "cluster|slots\t2\tstale\t0\t0\t0\t-\t@slow\t-\tcluster\t3.0.0";
        String info = "cluster|info\t2\tstale\t0\t0\t0\t-\t@slow\t-\tcluster\t3.0.0";
        CommandTable table = CommandTableLoader.build(
                List.of(cluster, slots, info), List.of("cluster REFUSED", "cluster|* REFUSED", "cluster|info KEYLESS"));
        assertThat(table.lookup("cluster|slots").routing()).isEqualTo(Routing.REFUSED);
        assertThat(table.lookup("cluster|info").routing()).isEqualTo(Routing.KEYLESS);
    }
}
