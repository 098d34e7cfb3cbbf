package dev.udplab.client.report;

import java.util.List;

/** Test reports: the figures a test cares about, every other component at a plain default. */
public final class Reports {

  /** 64-byte IPv4 datagrams, 20000 asked, unpaced, one socket, default buffers. */
  public static final FloodParameters PARAMETERS = new FloodParameters(64, false, 20_000, 0, 0, null, 1, "auto", 1,
      null, null, 212_992, 212_992, "auto", 1, 1, null, 0);

  private Reports() {
  }

  /** A report as the flood's account makes it: no send failures, replies of the datagrams' size, nothing added. */
  public static FloodReport of(String target, ReplyKind mode, long sent, long received, long duplicates,
      long reordered, long unexpected, double elapsedSeconds, double receiveSeconds, long rcvbuf, long sndbuf,
      FloodReport.Rtt rtt, List<FloodReport.Interval> intervals) {
    return new FloodReport(target, mode, sent, received, duplicates, reordered, unexpected, elapsedSeconds,
        receiveSeconds, rcvbuf, sndbuf, rtt, intervals, 0, null, received * PARAMETERS.sizeBytes(), PARAMETERS,
        FloodReport.Fidelity.NONE, null, null);
  }
}
