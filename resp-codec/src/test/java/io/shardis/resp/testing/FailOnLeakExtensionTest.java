package io.shardis.resp.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

class FailOnLeakExtensionTest {

    @Test
    void recorderSeesABufferThatWasNeverReleased() throws InterruptedException {
        leakABuffer();

        List<String> leaks = LeakRecorder.collectLeaks();

        assertThat(leaks)
                .anySatisfy(leak -> assertThat(leak).contains("ByteBuf").contains("leakABuffer"));
    }

    @Test
    void aTestThatLeaksFailsAndATestThatReleasesPasses() {
        // Runs the example in a nested engine; the extension is found through the ServiceLoader file.
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(LeakingExample.class))
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
                .execute();

        results.testEvents()
                .assertThatEvents()
                .haveExactly(
                        1,
                        event(
                                test("leaksABuffer"),
                                finishedWithFailure(message(m -> m.contains("leak(s) reported by Netty")))))
                .haveExactly(1, event(test("releasesItsBuffer"), finishedSuccessfully()));
    }

    @Test
    void aPropertyThatLeaksFails() {
        // jqwik does not run Jupiter extensions; its own hook is registered through the ServiceLoader.
        EngineExecutionResults results = EngineTestKit.engine("jqwik")
                .selectors(selectClass(LeakingProperties.class))
                .configurationParameter("jqwik.database", "target/jqwik-database")
                .execute();

        results.testEvents()
                .assertThatEvents()
                .haveExactly(
                        1,
                        event(
                                test("leaksABuffer"),
                                finishedWithFailure(message(m -> m.contains("leak(s) reported by Netty")))))
                .haveExactly(1, event(test("releasesItsBuffer"), finishedSuccessfully()));
    }

    private static void leakABuffer() {
        ByteBuf buffer = ByteBufAllocator.DEFAULT.buffer(16);
        buffer.writeLong(42);
        // Dropped without release().
    }

    /** Run only through the nested engine above: Surefire skips nested classes. */
    static class LeakingExample {

        @Test
        void leaksABuffer() {
            ByteBuf buffer = ByteBufAllocator.DEFAULT.buffer(16);
            buffer.writeLong(7);
        }

        @Test
        void releasesItsBuffer() {
            ByteBuf buffer = ByteBufAllocator.DEFAULT.buffer(16);
            buffer.writeLong(7);
            buffer.release();
        }
    }

    /** Run only through the nested engine above. */
    static class LeakingProperties {

        @Property(tries = 5)
        void leaksABuffer(@ForAll int value) {
            ByteBufAllocator.DEFAULT.buffer(16).writeInt(value);
        }

        @Property(tries = 5)
        void releasesItsBuffer(@ForAll int value) {
            ByteBufAllocator.DEFAULT.buffer(16).writeInt(value).release();
        }
    }
}
