package io.shardis.resp;

import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.util.ByteProcessor;

/** A heap buffer that counts how many bytes its readers look at, to prove they do not rescan. */
final class CountingByteBuf extends UnpooledHeapByteBuf {

    private long examined;

    CountingByteBuf(int capacity) {
        super(UnpooledByteBufAllocator.DEFAULT, capacity, capacity);
    }

    long examined() {
        return examined;
    }

    @Override
    public byte getByte(int index) {
        examined++;
        return super.getByte(index);
    }

    @Override
    public int forEachByte(ByteProcessor processor) {
        return count(readerIndex(), super.forEachByte(processor), readableBytes());
    }

    @Override
    public int forEachByte(int index, int length, ByteProcessor processor) {
        return count(index, super.forEachByte(index, length, processor), length);
    }

    @Override
    public int indexOf(int fromIndex, int toIndex, byte value) {
        int found = super.indexOf(fromIndex, toIndex, value);
        examined += found < 0 ? Math.abs(toIndex - fromIndex) : Math.abs(found - fromIndex) + 1;
        return found;
    }

    private int count(int from, int found, int length) {
        examined += found < 0 ? length : found - from + 1;
        return found;
    }
}
