package dev.udplab.client.flood;

/**
 * Deals one tick's due datagrams to K sockets in contiguous runs (with 40 due and 4 sockets: 10 on one, the next
 * 10 on the next, ...), each run cut into writes of at most {@code segmentsPerWrite}. Dealt one by one (0, 4, 8
 * on one socket) they would reach a one-socket server out of order, and the flood would count reordering the
 * network never did. A run cut short (by the tick's end or the caller's time budget) goes on, on the same socket,
 * in the next tick; over ticks the short run moves round the sockets, so they stay even.
 */
final class SendDealer {

  private final int sockets;
  private final int segmentsPerWrite;
  private int socket;
  private int firstSocket;
  private long due;
  private long run = 1;
  private long dealt;

  SendDealer(int sockets, int segmentsPerWrite) {
    if (sockets < 1 || segmentsPerWrite < 1) {
      throw new IllegalArgumentException("sockets and segments per write must be positive");
    }
    this.sockets = sockets;
    this.segmentsPerWrite = segmentsPerWrite;
  }

  /** Starts a tick that may send {@code due} datagrams. */
  void startTick(long due) {
    this.due = due;
    dealt = 0;
    run = Math.max(1, (due + sockets - 1) / sockets);
    firstSocket = socket;
  }

  boolean hasNext() {
    return dealt < due;
  }

  /** The socket the next write goes to. */
  int socket() {
    return socket;
  }

  /** Datagrams in the next write: never past the end of the run or of the tick. */
  int nextWriteSize() {
    long leftInRun = run - dealt % run;
    return (int) Math.min(Math.min(leftInRun, due - dealt), segmentsPerWrite);
  }

  /** Records that the next write went out with {@code datagrams} datagrams. */
  void wrote(int datagrams) {
    dealt += datagrams;
    if (dealt % run == 0) {
      socket = (socket + 1) % sockets;
    }
  }

  /** Datagrams dealt in this tick. */
  long dealt() {
    return dealt;
  }

  /** The socket this tick started on: flushing from it keeps the runs in sequence. */
  int firstSocket() {
    return firstSocket;
  }
}
