package dev.udplab.client.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.udplab.client.flood.FloodOptions;
import dev.udplab.client.net.HostPort;
import dev.udplab.client.net.SocketBuffers;
import dev.udplab.client.report.FloodReport;
import dev.udplab.client.report.FloodReport.Rtt;
import dev.udplab.client.report.JsonReport;
import dev.udplab.client.report.ReplyKind;
import dev.udplab.client.report.Reports;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class SweepTest {

  private static final FloodOptions BASE = FloodOptions.to(HostPort.parse("127.0.0.1:20001")).withRate(20_000)
      .withBuffers(new SocketBuffers(null, 65536));

  @Test
  void rcvbuf_values_change_only_the_receive_buffer() {
    Sweep sweep = Sweep.rcvbuf(List.of("8K", "208K", "4M"));
    assertEquals("rcvbuf", sweep.name());
    assertEquals(List.of("8K", "208K", "4M"), sweep.labels());
    assertEquals(List.of(8192L, 212_992L, 4_194_304L), sweep.values());
    FloodOptions second = sweep.options(BASE, 1);
    assertEquals(new SocketBuffers(212_992, 65536), second.buffers());
    assertEquals(20_000, second.rate());
    assertEquals(new SocketBuffers(null, 65536), BASE.buffers(), "the base is copied, not changed");
  }

  @Test
  void rate_values_change_only_the_rate() {
    Sweep sweep = Sweep.rate(List.of("0", " 5000", "1000000000"));
    assertEquals(List.of(0L, 5000L, 1_000_000_000L), sweep.values());
    assertEquals(5000, sweep.options(BASE, 1).rate());
    assertEquals(new SocketBuffers(null, 65536), sweep.options(BASE, 1).buffers());
    assertEquals(20_000, BASE.rate());
  }

  @Test
  void each_run_is_the_report_object_with_the_swept_value() {
    FloodReport report = Reports.of("127.0.0.1:20001", ReplyKind.SEQUENCED, 10, 9, 0, 0, 0, 1, 1, 16384, 212992,
        new Rtt(0, 0, 0, 0, 0, 0, 0), List.of());
    JsonObject json = Sweep.rcvbuf(List.of("8K")).json(report, 0);
    assertEquals(JsonReport.of(report).put("sweep", "rcvbuf").put("value", 8192L), json);
  }

  @Test
  void bad_values_name_the_option_and_the_value() {
    assertEquals("--sweep-rcvbuf: 'lots' is not a byte size (examples: 65536, 64K, 4M, 1G)",
        assertThrows(IllegalArgumentException.class, () -> Sweep.rcvbuf(List.of("8K", "lots"))).getMessage());
    assertEquals("--sweep-rate: 'fast' is not a number",
        assertThrows(IllegalArgumentException.class, () -> Sweep.rate(List.of("fast"))).getMessage());
    assertEquals("--sweep-rate: -2 is not a rate 0..1000000000",
        assertThrows(IllegalArgumentException.class, () -> Sweep.rate(List.of("1000", "-2"))).getMessage());
  }
}
