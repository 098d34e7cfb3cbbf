package dev.udplab.client.flood;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class FloodAccountTest {

  @Test
  void a_failed_send_is_reported_in_the_kernels_words() {
    assertEquals("Permission denied",
        FloodAccount.kernelWords(new IOException("sendToAddress(..) failed: Permission denied")));
    assertEquals("Network is unreachable",
        FloodAccount.kernelWords(new IOException("sendmmsg(..) failed with error(-101): Network is unreachable")));
    assertEquals("Message too long", FloodAccount.kernelWords(new IOException("Message too long")));
    assertEquals("IOException", FloodAccount.kernelWords(new IOException()));
  }
}
