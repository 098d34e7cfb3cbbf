package dev.udplab.common.runtime;

import io.netty.util.internal.PlatformDependent;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * This process's memory as a stop line reports it: the Java heap, direct memory (Netty's own count where it
 * allocates without the JDK's cleaner, plus the JDK's direct buffers) and the peak resident set the kernel saw.
 *
 * @param heapUsedBytes      heap in use
 * @param heapCommittedBytes heap the JVM has taken from the system
 * @param directBytes        direct (off-heap) buffer memory in use
 * @param peakRssBytes       VmHWM from {@code /proc/self/status}, or -1 where there is none (not Linux)
 */
public record ProcessMemory(long heapUsedBytes, long heapCommittedBytes, long directBytes, long peakRssBytes) {

  private static final double MIB = 1024.0 * 1024.0;

  /** The figures now. */
  public static ProcessMemory now() {
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    long direct = Math.max(0, PlatformDependent.usedDirectMemory());
    for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
      if ("direct".equals(pool.getName())) {
        direct += pool.getMemoryUsed();
      }
    }
    return new ProcessMemory(heap.getUsed(), heap.getCommitted(), direct, peakRss());
  }

  private static long peakRss() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return -1;
  }

  /** {@code heap-used-mib=12.3 heap-committed-mib=380.0 direct-mib=8.0 rss-peak-mib=120.5}, the last only on Linux. */
  public String fields() {
    String fields = "heap-used-mib=" + mib(heapUsedBytes) + " heap-committed-mib=" + mib(heapCommittedBytes)
        + " direct-mib=" + mib(directBytes);
    return peakRssBytes < 0 ? fields : fields + " rss-peak-mib=" + mib(peakRssBytes);
  }

  private static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f", bytes / MIB);
  }
}
