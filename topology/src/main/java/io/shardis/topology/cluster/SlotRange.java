package io.shardis.topology.cluster;

/** The slots {@code first} to {@code last}, both included. */
public record SlotRange(int first, int last) {

    public SlotRange {
        if (first < 0 || last >= HashSlot.SLOT_COUNT || first > last) {
            throw new IllegalArgumentException("not a slot range: " + first + "-" + last);
        }
    }

    public int size() {
        return last - first + 1;
    }

    public boolean contains(int slot) {
        return slot >= first && slot <= last;
    }

    @Override
    public String toString() {
        return first == last ? Integer.toString(first) : first + "-" + last;
    }
}
