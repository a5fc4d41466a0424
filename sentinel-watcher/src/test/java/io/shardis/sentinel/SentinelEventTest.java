package io.shardis.sentinel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SentinelEventTest {

    @Test
    void switchMasterNamesTheMasterFirst() {
        SentinelEvent event = SentinelEvent.parse("+switch-master", "shard1 127.0.0.1 7000 127.0.0.1 7001");
        assertThat(event.masterName()).isEqualTo("shard1");
        assertThat(event.asksForRecheck()).isTrue();
        assertThat(event.aboutMasterInstance()).isTrue();
    }

    @Test
    void anEventAboutTheMasterInstanceNamesIt() {
        SentinelEvent odown = SentinelEvent.parse("+odown", "master shard2 127.0.0.1 7002 #quorum 2/2");
        assertThat(odown.masterName()).isEqualTo("shard2");
        assertThat(odown.asksForRecheck()).isFalse();
        assertThat(odown.aboutMasterInstance()).isTrue();

        SentinelEvent end = SentinelEvent.parse("+failover-end", "master shard2 127.0.0.1 7002");
        assertThat(end.masterName()).isEqualTo("shard2");
        assertThat(end.asksForRecheck()).isTrue();
    }

    @Test
    void anEventAboutAReplicaOrASentinelNamesTheMasterAfterTheAt() {
        SentinelEvent replica =
                SentinelEvent.parse("+sdown", "slave 127.0.0.1:7003 127.0.0.1 7003 @ shard1 127.0.0.1 7000");
        assertThat(replica.masterName()).isEqualTo("shard1");
        assertThat(replica.aboutMasterInstance()).isFalse();

        SentinelEvent sentinel =
                SentinelEvent.parse("-sdown", "sentinel 8f3e7a 127.0.0.1 26380 @ shard3 127.0.0.1 7004");
        assertThat(sentinel.masterName()).isEqualTo("shard3");
        assertThat(sentinel.asksForRecheck()).isFalse();
    }

    @Test
    void aPayloadWithoutAMasterNamesNone() {
        assertThat(SentinelEvent.parse("+sdown", "").masterName()).isNull();
        assertThat(SentinelEvent.parse("+switch-master", "  ").masterName()).isNull();
        assertThat(SentinelEvent.parse("+sdown", "slave 127.0.0.1:7003 127.0.0.1 7003 @")
                        .masterName())
                .isNull();
    }
}
