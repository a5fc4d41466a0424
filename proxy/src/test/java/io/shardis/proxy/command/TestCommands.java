package io.shardis.proxy.command;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.shardis.resp.RespCommand;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Encodes arguments into a RESP frame the way a client sends them; releases every frame it made. */
final class TestCommands implements AutoCloseable {

    private final List<RespCommand> created = new ArrayList<>();

    RespCommand of(String... args) {
        ByteBuf frame = Unpooled.buffer();
        int[] spans = new int[args.length * 2];
        frame.writeCharSequence("*" + args.length + "\r\n", StandardCharsets.US_ASCII);
        for (int i = 0; i < args.length; i++) {
            byte[] bytes = args[i].getBytes(StandardCharsets.UTF_8);
            frame.writeCharSequence("$" + bytes.length + "\r\n", StandardCharsets.US_ASCII);
            spans[2 * i] = frame.writerIndex();
            spans[2 * i + 1] = bytes.length;
            frame.writeBytes(bytes).writeByte('\r').writeByte('\n');
        }
        RespCommand command = RespCommand.of(frame, args.length, spans);
        created.add(command);
        return command;
    }

    @Override
    public void close() {
        created.forEach(RespCommand::release);
        created.clear();
    }
}
