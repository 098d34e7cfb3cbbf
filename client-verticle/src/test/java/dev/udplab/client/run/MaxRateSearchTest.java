package dev.udplab.client.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.udplab.client.report.FloodReport;
import dev.udplab.client.report.FloodReport.Rtt;
import dev.udplab.client.report.ReplyKind;
import dev.udplab.client.report.Reports;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MaxRateSearchTest {

  /**
   * A report of one second at {@code achieved} pps with {@code lossPercent} lost (a whole number of datagrams
   * for the rates used here).
   */
  private static FloodReport report(long achieved, double lossPercent) {
    long received = Math.round(achieved * (100 - lossPercent) / 100);
    return Reports.of("127.0.0.1:20001", ReplyKind.SEQUENCED, achieved, received, 0, 0, 0, 1.0, 1.0, 0, 0,
        new Rtt(0, 0, 0, 0, 0, 0, 0), List.of());
  }

  /** A fake network: the client sends at most {@code clientMax} pps, and above {@code knee} 5 % is lost. */
  private static final class Lab implements MaxRateSearch.Probe {
    final long clientMax;
    final long knee;
    final List<Long> probed = new ArrayList<>();

    Lab(long clientMax, long knee) {
      this.clientMax = clientMax;
      this.knee = knee;
    }

    @Override
    public FloodReport run(long rate) {
      probed.add(rate);
      long achieved = rate == 0 ? clientMax : Math.min(rate, clientMax);
      return report(achieved, achieved > knee ? 5 : 0);
    }
  }

  @Test
  void a_lossy_unpaced_run_is_the_upper_bound_and_bisection_finds_the_knee() {
    Lab lab = new Lab(50_000, 37_000);
    long answer = new MaxRateSearch(0.1).search(lab, () -> false);
    // every failing rate is probed twice
    assertEquals(List.of(0L, 50_000L, 50_000L, 25_000L, 37_500L, 37_500L, 31_250L, 34_375L, 35_937L, 36_718L,
        37_109L, 37_109L), lab.probed);
    assertEquals(36_718, answer);
  }

  @Test
  void a_clean_unpaced_run_doubles_until_the_client_cannot_keep_up() {
    Lab lab = new Lab(30_000, Long.MAX_VALUE);
    long answer = new MaxRateSearch(0.1).search(lab, () -> false);
    // 60000 down to 33750 fail although nothing is lost: the client sent only 30000 (a probe may fall 10 % short)
    assertEquals(List.of(0L, 60_000L, 60_000L, 45_000L, 45_000L, 37_500L, 37_500L, 33_750L, 33_750L, 31_875L,
        32_812L, 33_281L), lab.probed);
    assertEquals(33_281, answer);
  }

  @Test
  void doubling_stops_after_six_passes() {
    // 1000 pps unpaced (a cold client), yet every paced rate is sent in full and nothing is lost
    List<Long> probed = new ArrayList<>();
    long answer = new MaxRateSearch(0.1).search(rate -> {
      probed.add(rate);
      return report(rate == 0 ? 1000 : rate, 0);
    }, () -> false);
    assertEquals(List.of(0L, 2000L, 4000L, 8000L, 16_000L, 32_000L, 64_000L, 96_000L, 112_000L, 120_000L,
        124_000L, 126_000L), probed, "six doublings, then bisection until the gap is under 2 %");
    assertEquals(126_000, answer);
  }

  @Test
  void nothing_within_the_threshold_answers_0() {
    Lab lab = new Lab(20_000, 0);
    assertEquals(0, new MaxRateSearch(0.1).search(lab, () -> false));
    assertEquals(0L, lab.probed.get(0));
    assertEquals(20_000L, lab.probed.get(1));
    assertEquals(20_000L, lab.probed.get(2));
  }

  @Test
  void a_stop_after_the_unpaced_probe_answers_from_it() {
    Lab clean = new Lab(30_000, Long.MAX_VALUE);
    assertEquals(30_000, new MaxRateSearch(0.1).search(clean, () -> !clean.probed.isEmpty()));
    assertEquals(List.of(0L), clean.probed);
    Lab lossy = new Lab(30_000, 0);
    assertEquals(0, new MaxRateSearch(0.1).search(lossy, () -> !lossy.probed.isEmpty()));
  }

  @Test
  void verdicts_and_the_floor() {
    MaxRateSearch search = new MaxRateSearch(1.0);
    assertEquals("ok", search.verdict(report(10_000, 5), 0), "the unpaced probe is never judged");
    assertEquals("ok", search.verdict(report(9_000, 1), 10_000));
    assertEquals("over", search.verdict(report(10_000, 2), 10_000));
    assertEquals("client too slow", search.verdict(report(8_999, 0), 10_000));
    Lab crawling = new Lab(10, Long.MAX_VALUE);
    new MaxRateSearch(0.1).search(crawling, () -> crawling.probed.size() == 2);
    assertEquals(List.of(0L, MaxRateSearch.FLOOR_RATE * 2), crawling.probed);
  }

  @Test
  void one_hiccup_does_not_bound_the_search() {
    // a clean lab up to 80,000 pps whose first probe at 50,000 pps meets a hiccup; the repeat passes
    List<Long> probed = new ArrayList<>();
    long answer = new MaxRateSearch(0.1).search(rate -> {
      probed.add(rate);
      boolean hiccup = probed.size() == 2;
      return report(rate == 0 ? 25_000 : rate, hiccup || rate > 80_000 ? 5 : 0);
    }, () -> false);
    assertEquals(List.of(0L, 50_000L, 50_000L, 100_000L, 100_000L, 75_000L, 87_500L, 87_500L, 81_250L, 81_250L,
        78_125L, 79_687L), probed);
    assertEquals(79_687, answer);
  }
}
