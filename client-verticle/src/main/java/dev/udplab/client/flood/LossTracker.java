package dev.udplab.client.flood;

import java.util.Arrays;

/**
 * Exact per-sequence accounting: a paged bitmap of the sequence numbers that came back.
 *
 * <p>Pages of 2^20 bits (128 KiB) are allocated on first touch, so 100 million datagrams take about
 * 12 MiB and a handful of numbers above 2^31 take a handful of pages. {@code received} counts distinct
 * numbers, {@code duplicates} extra copies, {@code reordered} first copies that arrived after a higher
 * number of the same flow had already arrived (a duplicate is never also a reorder), and {@code lost} is decided
 * by the caller once the drain is over: {@code sent - received}.
 *
 * <p>Reordering is judged per flow (one client socket): replies that come back on different sockets are read in
 * whatever order epoll reports the sockets ready, which says nothing about the network.
 */
public final class LossTracker {

  /** What one arrival turned out to be. */
  public enum Arrival { IN_ORDER, REORDERED, DUPLICATE }

  /**
   * The counts at one moment.
   *
   * @param received   distinct sequence numbers received
   * @param duplicates extra copies of sequence numbers already received
   * @param reordered  first copies that arrived after a higher sequence number of the same flow
   */
  public record Counts(long received, long duplicates, long reordered) {

    /** {@code sent - received}; meaningful once the drain is over. */
    public long lost(long sent) {
      return Math.max(0, sent - received);
    }
  }

  static final int PAGE_BITS_LOG2 = 20;
  private static final int WORDS_PER_PAGE = 1 << (PAGE_BITS_LOG2 - 6);
  private static final long PAGE_MASK = (1L << PAGE_BITS_LOG2) - 1;

  private long[][] pages = new long[16][];
  private long received;
  private long duplicates;
  private long reordered;
  private final long[] highestByFlow;

  /** A tracker for one flow. */
  public LossTracker() {
    this(1);
  }

  /** A tracker for {@code flows} flows, numbered from 0. */
  public LossTracker(int flows) {
    if (flows < 1) {
      throw new IllegalArgumentException("flows must be at least 1: " + flows);
    }
    highestByFlow = new long[flows];
    Arrays.fill(highestByFlow, -1);
  }

  /** Records that {@code sequence} (non-negative) came back. */
  public Arrival record(long sequence) {
    return record(sequence, 0);
  }

  /** Records that {@code sequence} (non-negative) came back on flow {@code flow}. */
  public Arrival record(long sequence, int flow) {
    if (sequence < 0) {
      throw new IllegalArgumentException("negative sequence " + sequence);
    }
    long[] page = page(sequence >>> PAGE_BITS_LOG2);
    int bit = (int) (sequence & PAGE_MASK);
    int word = bit >>> 6;
    long mask = 1L << (bit & 63);
    if ((page[word] & mask) != 0) {
      duplicates++;
      return Arrival.DUPLICATE;
    }
    page[word] |= mask;
    received++;
    if (sequence < highestByFlow[flow]) {
      reordered++;
      return Arrival.REORDERED;
    }
    highestByFlow[flow] = sequence;
    return Arrival.IN_ORDER;
  }

  /** Pages {@link #reserve} allocates at most: 128 Mi sequence numbers, 16 MiB. */
  static final int MAX_RESERVED_PAGES = 128;

  /**
   * Allocates now the pages for sequence numbers below {@code count} (at most {@link #MAX_RESERVED_PAGES}), so that a
   * run of known length allocates none while datagrams flow.
   */
  public void reserve(long count) {
    long pagesNeeded = Math.min(MAX_RESERVED_PAGES, (count + PAGE_MASK) >>> PAGE_BITS_LOG2);
    for (long p = 0; p < pagesNeeded; p++) {
      page(p);
    }
  }

  /** Whether {@code sequence} has come back. */
  public boolean seen(long sequence) {
    long pageIndex = sequence >>> PAGE_BITS_LOG2;
    if (sequence < 0 || pageIndex >= pages.length || pages[(int) pageIndex] == null) {
      return false;
    }
    int bit = (int) (sequence & PAGE_MASK);
    return (pages[(int) pageIndex][bit >>> 6] & (1L << (bit & 63))) != 0;
  }

  /** What came back so far. */
  public Counts counts() {
    return new Counts(received, duplicates, reordered);
  }

  /** Pages currently allocated (for the memory-bound test). */
  int allocatedPages() {
    int n = 0;
    for (long[] p : pages) {
      if (p != null) {
        n++;
      }
    }
    return n;
  }

  private long[] page(long pageIndex) {
    if (pageIndex >= Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("sequence too large");
    }
    int index = (int) pageIndex;
    if (index >= pages.length) {
      pages = Arrays.copyOf(pages, Math.max(index + 1, pages.length * 2));
    }
    long[] page = pages[index];
    if (page == null) {
      page = new long[WORDS_PER_PAGE];
      pages[index] = page;
    }
    return page;
  }
}
