package dev.udplab.client.flood;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SendDealerTest {

  /** The writes of one tick as "socket:datagrams", at most {@code maxWrites} of them. */
  private static List<String> tick(SendDealer dealer, long due, int maxWrites) {
    List<String> writes = new ArrayList<>();
    dealer.startTick(due);
    while (dealer.hasNext() && writes.size() < maxWrites) {
      int n = dealer.nextWriteSize();
      writes.add(dealer.socket() + ":" + n);
      dealer.wrote(n);
    }
    return writes;
  }

  @Test
  void one_run_per_socket_each_one_write_when_it_fits() {
    SendDealer dealer = new SendDealer(4, 64);
    assertEquals(List.of("0:38", "1:38", "2:38", "3:36"), tick(dealer, 150, 100));
    assertEquals(150, dealer.dealt());
    // socket 3's run was cut short by the tick's end, so the next tick goes on with it: over ticks the short run
    // moves round the sockets and they stay even
    assertEquals(List.of("3:1", "0:1", "1:1"), tick(dealer, 3, 100));
    assertEquals(3, dealer.firstSocket());
    assertEquals(List.of("2:5", "3:5", "0:5", "1:5"), tick(dealer, 20, 100));
  }

  @Test
  void a_run_longer_than_a_write_is_cut_and_never_crosses_sockets() {
    SendDealer dealer = new SendDealer(2, 16);
    assertEquals(List.of("0:16", "0:16", "0:8", "1:16", "1:16", "1:8"), tick(dealer, 80, 100));
  }

  @Test
  void single_datagram_writes_change_socket_every_run() {
    SendDealer dealer = new SendDealer(4, 1);
    List<String> writes = tick(dealer, 8, 100);
    assertEquals(List.of("0:1", "0:1", "1:1", "1:1", "2:1", "2:1", "3:1", "3:1"), writes);
  }

  @Test
  void a_tick_cut_short_leaves_the_socket_where_it_was() {
    SendDealer dealer = new SendDealer(4, 16);
    assertEquals(List.of("0:16", "0:16"), tick(dealer, 150, 2));
    assertEquals(32, dealer.dealt());
    assertEquals(List.of("0:1", "1:1"), tick(dealer, 2, 100));
  }
}
